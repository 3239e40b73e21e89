"""Two neighbourhoods in Barrow and small gazetteer files written in the exact layouts ONS and OS publish."""
import csv
import io

import pytest

from tests.factories import ForceAreaFactory, NeighbourhoodFactory, square

# The ONS Postcode Directory's header (an edition with 2021 Census areas); lat and long are WGS84.
ONSPD_HEADER = (
    "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,osgrdind,oshlthau,nhser,ctry,"
    "rgn,streg,pcon,eer,teclec,ttwa,pct,itl,statsward,oa01,casward,park,lsoa01,msoa01,ur01ind,oac01,oa11,lsoa11,msoa11,"
    "wz11,sicbl,bua11,buasd11,ru11ind,oac11,lat,long,lep1,lep2,pfa,imd,calncv,icb,oa21,lsoa21,msoa21"
).split(",")
# OS Open Names' 34 columns, in order; its CSV files carry no header row.
OPEN_NAMES_HEADER = (
    "ID,NAMES_URI,NAME1,NAME1_LANG,NAME2,NAME2_LANG,TYPE,LOCAL_TYPE,GEOMETRY_X,GEOMETRY_Y,MOST_DETAIL_VIEW_RES,"
    "LEAST_DETAIL_VIEW_RES,MBR_XMIN,MBR_YMIN,MBR_XMAX,MBR_YMAX,POSTCODE_DISTRICT,POSTCODE_DISTRICT_URI,POPULATED_PLACE,"
    "POPULATED_PLACE_URI,POPULATED_PLACE_TYPE,DISTRICT_BOROUGH,DISTRICT_BOROUGH_URI,DISTRICT_BOROUGH_TYPE,COUNTY_UNITARY,"
    "COUNTY_UNITARY_URI,COUNTY_UNITARY_TYPE,REGION,REGION_URI,COUNTRY,COUNTRY_URI,RELATED_SPATIAL_OBJECT,SAME_AS_DBPEDIA,"
    "SAME_AS_GEONAMES"
).split(",")
# British National Grid points inside Hindpool and Central (the squares below), and one in Keswick, far outside.
IN_HINDPOOL_BNG, IN_CENTRAL_BNG, KESWICK_BNG = (318694, 468396), (319347, 468385), (326700, 523300)


def onspd_row(pcds: str, lat, long, *, doterm: str = "", east="", north="") -> dict:
    compact = pcds.replace(" ", "")
    row = {name: "" for name in ONSPD_HEADER}
    row.update(pcd=compact.ljust(7), pcd2=pcds, pcds=pcds, dointr="198001", doterm=doterm, oseast1m=east, osnrth1m=north,
               osgrdind="1", ctry="E92000001", rgn="E12000002", lat=lat, long=long, pfa="E23000002", oslaua="E06000064")
    return row


def onspd_file(*rows: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(ONSPD_HEADER)
    for row in rows:
        writer.writerow([row[name] for name in ONSPD_HEADER])
    return out.getvalue().encode()


def open_names_row(os_id: str, name: str, local_type: str, easting, northing, *, kind="transportNetwork", place="Barrow-in-Furness",
                   district="LA14") -> list:
    row = {column: "" for column in OPEN_NAMES_HEADER}
    row.update(
        ID=os_id, NAMES_URI=f"http://data.ordnancesurvey.co.uk/id/{os_id.removeprefix('osgb')}", NAME1=name, TYPE=kind,
        LOCAL_TYPE=local_type, GEOMETRY_X=easting, GEOMETRY_Y=northing, MOST_DETAIL_VIEW_RES="1000", LEAST_DETAIL_VIEW_RES="25000",
        POSTCODE_DISTRICT=district, POPULATED_PLACE=place, DISTRICT_BOROUGH="Westmorland and Furness",
        COUNTY_UNITARY="Westmorland and Furness", REGION="North West", COUNTRY="England",
    )
    return [row[column] for column in OPEN_NAMES_HEADER]


def open_names_file(*rows: list, header: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(OPEN_NAMES_HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def barrow(force, team):
    force_area = ForceAreaFactory(force=force, code="cumbria", name="Cumbria Constabulary", boundary=square(west=-3.30, south=54.05, size=0.2))
    hindpool = NeighbourhoodFactory(force_area=force_area, code="HIND", name="Hindpool", team=team, boundary=square(west=-3.25, south=54.10))
    central = NeighbourhoodFactory(force_area=force_area, code="CENT", name="Central", boundary=square(west=-3.24, south=54.10))
    return hindpool, central


@pytest.fixture
def gazetteer(barrow):
    """LA14 2LR in Hindpool, LA14 1AB in Central; Duke Street in Hindpool, Dalton Road in Central."""
    from finder.loaders import load_gazetteer
    from finder.models import GazetteerKind

    load_gazetteer(raw=onspd_file(onspd_row("LA14 2LR", "54.105000", "-3.245000"), onspd_row("LA14 1AB", "54.105000", "-3.235000")),
                   kind=GazetteerKind.POSTCODES, file_name="ONSPD_TEST.csv")
    load_gazetteer(raw=open_names_file(
        open_names_row("osgb4000000074000001", "Duke Street", "Named Road", *IN_HINDPOOL_BNG),
        open_names_row("osgb4000000074000002", "Dalton Road", "Named Road", *IN_CENTRAL_BNG),
    ), kind=GazetteerKind.PLACE_NAMES, file_name="SD16.csv")
    return barrow
