/* Archive pages (gateway.portal.archive): upload progress for htmx-posted file forms.
   Loaded as a file because the portal's CSP allows scripts from 'self' only. */
(function () {
  "use strict";

  function uploadForm(evt) {
    var el = evt.target;
    return el && el.closest ? el.closest("form[data-upload]") : null;
  }

  document.addEventListener("htmx:beforeRequest", function (evt) {
    var form = uploadForm(evt);
    if (!form) return;
    var bar = form.querySelector("progress");
    if (bar) { bar.hidden = false; bar.value = 0; bar.max = 100; }
    form.setAttribute("aria-busy", "true");
  });

  document.addEventListener("htmx:xhr:progress", function (evt) {
    var form = uploadForm(evt);
    if (!form || !evt.detail || !evt.detail.lengthComputable || !evt.detail.total) return;
    var percent = Math.min(100, Math.round((100 * evt.detail.loaded) / evt.detail.total));
    var bar = form.querySelector("progress");
    if (bar) { bar.hidden = false; bar.value = percent; }
    var out = form.querySelector("[data-upload-percent]");
    if (out) out.textContent = percent + "%";
  });

  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = uploadForm(evt);
    if (form) form.removeAttribute("aria-busy");
  });
})();
