// Typeset every formula of the built site once, at build time, with MathJax itself (node).
//
//   node _ext/prerender_math.js SITE_ROOT      (every page under it; the book_site extension runs it)
//
// Sphinx writes each formula as TeX inside <span class="math ..."> / <div class="math ...">
// (\(...\), \[...\], or a bare amsmath environment) and leaves it to MathJax in the browser:
// 1.2 MB of script on every page, and seconds of typesetting on a phone. This replaces each
// one with the CHTML that MathJax 3.2.2 (mathjax-full, pinned in package.json) would have made
// in the browser, plus the MathML that screen readers read (assistive MathML), adds the one
// style sheet the page's formulas need. The pages then load no MathJax script (_ext/book_site.py
// leaves it out), only MathJax's fonts (_static/mathjax/output/chtml/fonts/woff-v2).
//
// A formula MathJax cannot read (an error node) fails the run, naming the file and the TeX:
// the site never shows a red error box, or raw TeX, in place of a formula.
"use strict";
const fs = require("fs");
const path = require("path");
const { mathjax } = require("mathjax-full/js/mathjax.js");
const { TeX } = require("mathjax-full/js/input/tex.js");
const { CHTML } = require("mathjax-full/js/output/chtml.js");
const { liteAdaptor } = require("mathjax-full/js/adaptors/liteAdaptor.js");
const { RegisterHTMLHandler } = require("mathjax-full/js/handlers/html.js");
const { AssistiveMmlHandler } = require("mathjax-full/js/a11y/assistive-mml.js");
const { AllPackages } = require("mathjax-full/js/input/tex/AllPackages.js");

const FONTS = "_static/mathjax/output/chtml/fonts/woff-v2";
const root = process.argv[2];
if (!root || !fs.existsSync(path.join(root, FONTS))) {
  console.error(`usage: node _ext/prerender_math.js SITE_ROOT  (with MathJax's fonts in SITE_ROOT/${FONTS})`);
  process.exit(2);
}
const SKIP = new Set(["_static", "_sources", "_images"]);
function pages(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIP.has(entry.name) ? [] : pages(full);
    return entry.name.endsWith(".html") ? [full] : [];
  });
}
const files = pages(root);

const adaptor = liteAdaptor();
AssistiveMmlHandler(RegisterHTMLHandler(adaptor));

// <span|div class="math notranslate nohighlight" ...>TeX</span|div>; a display formula may
// start with its equation number (<span class="eqno">...</span>)
const MATH = /<(span|div)([^>]*\bclass="math notranslate nohighlight"[^>]*)>([\s\S]*?)<\/\1>/g;
const EQNO = /^(\s*<span class="eqno">[\s\S]*?<\/span>)?([\s\S]*)$/;
function unescapeHtml(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(+n)).replace(/&amp;/g, "&");
}

function texOf(body, tag) {
  const t = unescapeHtml(body).trim();
  let m;
  if ((m = /^\\\(([\s\S]*)\\\)$/.exec(t))) return { tex: m[1], display: false };
  if ((m = /^\\\[([\s\S]*)\\\]$/.exec(t))) return { tex: m[1], display: true };
  if (/^\\begin\{[^}]+\}[\s\S]*\\end\{[^}]+\}$/.test(t)) return { tex: t, display: true };
  return null;
}

let total = 0;
const problems = [];
for (const file of files) {
  const source = fs.readFileSync(file, "utf8");
  if (!source.includes('class="math notranslate nohighlight"')) continue;
  const depth = path.relative(root, path.dirname(file)).split(path.sep).filter(Boolean).length;
  const fontURL = "../".repeat(depth) + FONTS;
  const tex = new TeX({ packages: AllPackages, formatError: (jax, err) => { throw err; } });
  const chtml = new CHTML({ fontURL, adaptiveCSS: true });
  const doc = mathjax.document("", { InputJax: tex, OutputJax: chtml });
  let count = 0;
  let html = source.replace(MATH, (whole, tag, attrs, body) => {
    if (body.includes("<mjx-container")) return whole;        // typeset by an earlier run
    const [, eqno = "", rest] = EQNO.exec(body);
    const found = texOf(rest, tag);
    if (!found) {
      problems.push(`${file}: a math element without TeX delimiters: ${rest.slice(0, 80)}`);
      return whole;
    }
    try {
      const node = doc.convert(found.tex, { display: found.display });
      count += 1;
      return `<${tag}${attrs}>${eqno}${adaptor.outerHTML(node)}</${tag}>`;
    } catch (err) {
      problems.push(`${file}: MathJax cannot typeset ${JSON.stringify(found.tex.slice(0, 120))}: ${err.message}`);
      return whole;
    }
  });
  if (count) {
    const sheet = adaptor.textContent(chtml.styleSheet(doc));
    html = html.replace("</head>", `<style id="MJX-CHTML-styles">\n${sheet}\n</style>\n</head>`);
  }
  if (count) fs.writeFileSync(file, html);
  total += count;
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`prerender_math: ${total} formulas typeset in ${files.length} pages`);
