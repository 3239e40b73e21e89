"""Files move through the store in chunks: an upload in parts, a download and a temporary copy in blocks;
the whole file is never held in memory (measured with tracemalloc, against the real SeaweedFS)."""



def test_a_large_file_goes_in_and_out_of_the_store_in_chunks_never_whole_in_memory(s3_files, tmp_path):
    """40 MB up from a file on disk (in 5 MB parts, one at a time), down as a download and down as a
    temporary copy (64 KB and 1 MB blocks): Python never holds the file whole."""
    import gc
    import os
    import tracemalloc

    from django.core.files import File
    from django.core.files.storage import default_storage

    from filestore.config import PART_BYTES
    from filestore.files import local_path, stream_response

    size = 40 * 1024 * 1024
    source = tmp_path / "large.csv"
    with source.open("wb") as handle:
        for _ in range(size // (1024 * 1024)):
            handle.write(os.urandom(1024 * 1024))
    def held_while(work):
        """What `work` returns, and the most memory Python held at once while it ran, above what it held before."""
        gc.collect()
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = work()
        return result, tracemalloc.get_traced_memory()[1] - before

    def upload():
        with source.open("rb") as handle:
            return default_storage.save("imports/large.csv", File(handle))

    def download():
        response = stream_response(default_storage, name, content_type="text/csv")
        sizes = [len(block) for block in response.streaming_content]
        response.file_to_stream.close()  # not response.close(): that signals the end of a request (and touches the database)
        return int(response["Content-Length"]), sum(sizes), max(sizes)

    def copy():
        with local_path(default_storage, name) as path:
            return os.path.getsize(path)

    tracemalloc.start()
    try:
        name, uploaded_peak = held_while(upload)
        (length, sent, largest), streamed_peak = held_while(download)
        copied, copied_peak = held_while(copy)
    finally:
        tracemalloc.stop()
    assert (length, sent, copied) == (size, size, size) and largest <= 64 * 1024
    # A part, and the few copies boto3 and django-storages make of it on its way: a fixed amount, not the file.
    assert uploaded_peak < 4 * PART_BYTES, f"{uploaded_peak:,} bytes held at once to upload {size:,}"
    assert streamed_peak < 4 * 1024 * 1024 and copied_peak < 4 * 1024 * 1024, (streamed_peak, copied_peak)
