// Loaded after require.js and before the widget manager (embed-amd.js) on pages with widgets
// (see nb_ipywidgets_js in _config.yml). Copied to _static/jupyter-widgets/ by _ext/book_site.py.
(function () {
  "use strict";
  // 1. The widget manager loads its Font Awesome files relative to its AMD module's URL, which
  //    RequireJS resolves against the page's folder. Point the module at this folder instead.
  var here = document.currentScript.src.replace(/[?#].*$/, "");
  var folder = here.slice(0, here.lastIndexOf("/"));
  require.config({ paths: { "@jupyter-widgets/html-manager/dist": folder } });

  // 2. The widget manager typesets labels with MathJax 2's API (MathJax.Hub.Queue); the book
  //    loads MathJax 3. Give MathJax 3 that one method once it has started.
  function shim() {
    var mj = window.MathJax;
    if (!mj || mj.Hub || !mj.startup || !mj.startup.promise) return;
    mj.Hub = {
      Queue: function () {
        var jobs = Array.prototype.slice.call(arguments);
        mj.startup.promise.then(function () {
          jobs.forEach(function (job) {
            if (Array.isArray(job) && job[0] === "Typeset" && mj.typesetPromise) {
              mj.typesetPromise(job[2] ? [job[2]] : undefined);
            }
          });
        });
      },
    };
  }
  shim();
  document.addEventListener("DOMContentLoaded", shim);
})();
