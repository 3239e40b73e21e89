import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// Wide tables scroll sideways in their own box, never the page. A box that scrolls can be reached and scrolled
// by keyboard (a tab stop, named after the table), and only while it does scroll.
function tableName(table) {
  var caption = table.querySelector("caption");
  if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
  var heading = table.closest("section, div") && table.closest("section, div").querySelector("h1, h2, h3");
  return heading ? heading.textContent.trim() + " (table)" : "Table";
}

function fitTables() {
  document.querySelectorAll("main .govuk-table").forEach(function (table) {
    var box = table.parentElement;
    if (!box.classList.contains("hub-table-scroll")) {
      box = document.createElement("div");
      box.className = "hub-table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    }
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", tableName(table) + ", scrolls sideways");
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  });
}

fitTables();
window.addEventListener("resize", fitTables);
