// The query page: a highlighted editor (a textarea over a <pre>), example loading, and results as a
// table whose entity IRIs link to their pages. No dependencies; every value from the store is
// inserted as text, never as HTML.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("sparql-config").textContent);
  const form = document.getElementById("sparql-form");
  const editor = document.getElementById("sparql-query");
  const highlight = document.getElementById("sparql-highlight");
  const status = document.getElementById("sparql-status");
  const results = document.getElementById("sparql-results");
  const format = document.getElementById("sparql-format");

  const KEYWORDS = new Set(("SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED PREFIX BASE DISTINCT REDUCED " +
    "OPTIONAL FILTER UNION MINUS GRAPH SERVICE SILENT BIND AS VALUES GROUP BY HAVING ORDER ASC DESC LIMIT " +
    "OFFSET NOT EXISTS IN UNDEF INSERT DELETE DATA WITH USING DEFAULT ALL CLEAR DROP CREATE LOAD INTO " +
    "COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE " +
    "RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS " +
    "STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 " +
    "SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR " +
    "REPLACE TRUE FALSE A").split(" "));
  const TOKEN = new RegExp([
    String.raw`(#[^\n]*)`,                                                   // 1 comment
    String.raw`('''[\s\S]*?'''|"""[\s\S]*?"""|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")`, // 2 string
    String.raw`(<[^<>"{}|^\x60\\\s]*>)`,                                      // 3 IRI
    String.raw`([?$][\w]+)`,                                                  // 4 variable
    String.raw`((?:[A-Za-z][\w.-]*)?:[\w.:%-]*)`,                             // 5 prefixed name
    String.raw`([A-Za-z_][\w]*)`,                                             // 6 word
    String.raw`(\d[\d.eE+-]*)`,                                               // 7 number
  ].join("|"), "g");
  const CLASSES = [null, "c", "s", "i", "v", "p", "k", "n"];

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function highlighted(text) {
    let html = "", last = 0;
    for (const match of text.matchAll(TOKEN)) {
      html += escapeHtml(text.slice(last, match.index));
      const group = match.findIndex((part, index) => index > 0 && part !== undefined);
      const isKeyword = group !== 6 || KEYWORDS.has(match[0].toUpperCase());
      const css = isKeyword ? CLASSES[group] : null;
      html += css ? `<span class="sq-${css}">${escapeHtml(match[0])}</span>` : escapeHtml(match[0]);
      last = match.index + match[0].length;
    }
    return html + escapeHtml(text.slice(last)) + "\n";
  }

  function refresh() {
    highlight.innerHTML = highlighted(editor.value);
    syncScroll();
  }

  function syncScroll() {
    highlight.parentElement.scrollTop = editor.scrollTop;
    highlight.parentElement.scrollLeft = editor.scrollLeft;
  }

  function entityHref(iri) {
    return iri.startsWith(config.baseIri) ? config.entityRoot + iri.slice(config.baseIri.length) : iri;
  }

  function termCell(term) {
    const cell = document.createElement("td");
    if (!term) return cell;
    if (term.type === "uri") {
      const link = document.createElement("a");
      const local = term.value.startsWith(config.baseIri);
      link.href = entityHref(term.value);
      link.textContent = local ? term.value.slice(config.baseIri.length) : term.value;
      if (!local) link.rel = "nofollow noopener";
      cell.appendChild(link);
    } else if (term.type === "bnode") {
      cell.textContent = "_:" + term.value;
      cell.className = "sq-bnode";
    } else {
      cell.textContent = term.value;
      const note = term["xml:lang"] ? "@" + term["xml:lang"] : shortDatatype(term.datatype);
      if (note) {
        const small = document.createElement("small");
        small.textContent = " " + note;
        cell.appendChild(small);
      }
    }
    return cell;
  }

  function shortDatatype(datatype) {
    if (!datatype || datatype.endsWith("#string")) return "";
    const xsd = "http://www.w3.org/2001/XMLSchema#";
    return datatype.startsWith(xsd) ? "xsd:" + datatype.slice(xsd.length) : datatype;
  }

  function showTable(data) {
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    for (const name of data.head.vars) {
      const th = document.createElement("th");
      th.textContent = "?" + name;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const binding of data.results.bindings) {
      const row = body.insertRow();
      for (const name of data.head.vars) row.appendChild(termCell(binding[name]));
    }
    results.replaceChildren(table);
    return data.results.bindings.length;
  }

  function showText(text) {
    const pre = document.createElement("pre");
    pre.textContent = text;
    results.replaceChildren(pre);
  }

  async function run(event) {
    if (event) event.preventDefault();
    const query = editor.value;
    if (format.value) {
      window.location.href = `${config.endpoint}?format=${encodeURIComponent(format.value)}&query=${encodeURIComponent(query)}`;
      return;
    }
    history.replaceState(null, "", `${config.endpoint}?query=${encodeURIComponent(query)}`);
    status.textContent = "Running…";
    const started = performance.now();
    try {
      const response = await fetch(config.endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Accept": "application/sparql-results+json, text/turtle;q=0.9, application/json;q=0.5",
        },
        body: new URLSearchParams({ query }),
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok) {
        const body = type.includes("json") ? (await response.json()).error : await response.text();
        status.textContent = `Error ${response.status}`;
        showText(body);
        return;
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      if (type.startsWith("application/sparql-results+json")) {
        const data = await response.json();
        if ("boolean" in data) {
          showText(String(data.boolean));
          status.textContent = `Answer in ${seconds} s`;
        } else {
          status.textContent = `${showTable(data)} rows in ${seconds} s`;
        }
      } else {
        showText(await response.text());
        status.textContent = `Graph in ${seconds} s`;
      }
    } catch (error) {
      status.textContent = "The server could not be reached";
      showText(String(error));
    }
  }

  editor.addEventListener("input", refresh);
  editor.addEventListener("scroll", syncScroll);
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      run(event);
    } else if (event.key === "Tab" && !event.shiftKey) {
      event.preventDefault();
      editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
      refresh();
    }
  });
  form.addEventListener("submit", run);
  for (const button of document.querySelectorAll(".sparql-example")) {
    button.addEventListener("click", () => {
      editor.value = button.dataset.query;
      refresh();
      editor.focus();
    });
  }
  if (!editor.value.trim()) editor.value = document.querySelector(".sparql-example")?.dataset.query || "";
  refresh();
  if (new URLSearchParams(window.location.search).has("query")) run();
})();
