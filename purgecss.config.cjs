// PurgeCSS for KRDS: keep only the rules whose selectors name classes, ids,
// elements and attributes that our pages can carry. Run by
// scripts/build_static.py (`make assets`), which feeds it KRDS's stylesheet
// with its token file inlined; docs/deployment.md "Static files" says more.
//
// Where a page's class names come from, and so what is scanned:
// - templates/: class="..." and id="..." attributes (template tags inside
//   them included: class="tt-day{% if x %} is-off{% endif %}"), the element
//   names and the attribute names and values;
// - Django's own form templates: the <input>, <select>, <label> and
//   <ul class="errorlist"> that {{ field }} renders;
// - Python: strings that name a KRDS class ("krds-form-select completed" in
//   a widget's attrs, "bg-light-success" for a status badge), whole;
// - static/js/: the one script adds a button (className = "krds-btn ..."),
//   read like the Python.
// Only those parts are read, not the English words of the templates or the
// Python names: "link", "text", "large" or "disabled" anywhere in the code
// would otherwise keep KRDS's every button variant.
const fs = require("fs");
const path = require("path");

const root = __dirname;

// Our own stylesheets are not purged, but they read KRDS's custom
// properties (var(--krds-...)): those survive the purge of unused variables
// even where no KRDS rule uses them.
const ours = fs
  .readdirSync(path.join(root, "static", "css"))
  .filter((name) => name.endsWith(".css"))
  .map((name) => fs.readFileSync(path.join(root, "static", "css", name), "utf8"))
  .join("\n");
const variablesWeRead = [...new Set([...ours.matchAll(/var\(\s*(--[\w-]+)/g)].map((m) => m[1]))];

// The public pages' stylesheet is built from every template but the back
// office's: those under a staff/ folder, named staff_*, batch_* or dashboard_*,
// the ones that load the staff styles (staff/_styles.html), the reports, the
// admin's, the PDFs (WeasyPrint, not a browser) and the busy-time import.
// A new template is public until it says otherwise, so a new public page is
// never left without its styles (a staff page in the public set only makes
// that sheet larger: tests/scheduling/test_static_build.py keeps it in bounds).
function templates(dir = path.join(root, "templates")) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return templates(full);
    return entry.name.endsWith(".html") ? [full] : [];
  });
}
function isStaffTemplate(file) {
  const relative = path.relative(path.join(root, "templates"), file).split(path.sep).join("/");
  if (/(^|\/)(staff|admin|reports|pdf)\//.test(relative)) return true;
  if (/(^|\/)(staff_|batch_|dashboard_)[^/]*$|_pdf[^/]*\.html$|(^|\/)busy_import\.html$/.test(relative)) return true;
  return fs.readFileSync(file, "utf8").includes("staff/_styles.html");
}
const pages = process.env.TONGTONG_PAGES || "staff";
if (!["public", "staff"].includes(pages)) throw new Error(`TONGTONG_PAGES=${pages}: public or staff`);
const pageTemplates = templates().filter((file) => pages === "staff" || !isStaffTemplate(file));

const words = (text) => text.match(/[\w-]+/g) || [];
const all = (text, pattern) => [...text.matchAll(pattern)].map((m) => m[1]);

function fromTemplate(content) {
  const attributeValues = all(content, /[\w-]+\s*=\s*"([^"]*)"/g).concat(all(content, /[\w-]+\s*=\s*'([^']*)'/g));
  const classes = all(content, /\bclass\s*=\s*"([^"]*)"/g)
    .concat(all(content, /\bclass\s*=\s*'([^']*)'/g))
    .flatMap(words);
  return {
    classes,
    ids: all(content, /\bid\s*=\s*["']([^"']*)["']/g).flatMap(words),
    tags: all(content, /<([a-zA-Z][\w-]*)/g).map((tag) => tag.toLowerCase()),
    attributes: {
      names: all(content, /\s([a-zA-Z][\w:-]*)\s*=/g).concat(all(content, /<[a-zA-Z][^>]*?\s([a-zA-Z-]+)(?=[\s>])/g)),
      values: attributeValues.flatMap(words),
    },
    undetermined: [],
  };
}

// Python and JavaScript: only the strings that name a KRDS class, whole
// (not the variable names: copy-link.js has a variable called "link").
function fromCode(content) {
  const strings = all(content, /"([^"\n]*)"/g).concat(all(content, /'([^'\n]*)'/g));
  return strings.filter((s) => /\b(krds-|bg-)/.test(s)).flatMap(words);
}

module.exports = {
  content: [
    ...pageTemplates,
    ".venv/lib/python3*/site-packages/django/forms/templates/django/forms/**/*.html",
    "static/js/**/*.js",
    "scheduling/**/*.py",
    "meetings/**/*.py",
    "visits/**/*.py",
  ],
  extractors: [
    { extractor: fromTemplate, extensions: ["html"] },
    { extractor: fromCode, extensions: ["py", "js"] },
  ],
  variables: true,
  keyframes: true,
  fontFace: true,
  safelist: {
    standard: [
      // Class names a template builds from a value (is-{{ message.tags }},
      // is-{{ stage.state }}): KRDS styles several is-* states.
      /^is-/,
    ],
    variables: variablesWeRead,
  },
};
