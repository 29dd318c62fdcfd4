/* Legal deposit upload with a progress bar (portal: /portal/serah-simpan/penyerah/{id}/serahkan).
 * Progressive enhancement: without this script the form posts normally. With it, the form is sent
 * with XMLHttpRequest so the upload's progress can be shown; the server answers JSON (a redirect to
 * the deposit's page, or the problem). Every message comes from the form's data-msg-* attributes,
 * written by the server from the portal's language catalogs. */
(function () {
  "use strict";

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : "";
    });
  }

  function size(bytes, lang) {
    var units = ["B", "KB", "MB", "GB"];
    var value = bytes;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value = value / 1024;
      unit += 1;
    }
    var digits = unit === 0 ? 0 : 1;
    return value.toLocaleString(lang || undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits }) + " " + units[unit];
  }

  function clear(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  function showProblem(box, body, fallback) {
    clear(box);
    var title = document.createElement("p");
    title.className = "ss-refusal-title";
    title.textContent = (body && body.message) || fallback;
    box.appendChild(title);
    var items = [];
    if (body && body.reasons) {
      body.reasons.forEach(function (r) { items.push(r.message); });
    }
    if (body && body.fields) {
      Object.keys(body.fields).forEach(function (name) {
        var label = document.querySelector('label[for="f-' + name + '"]');
        var text = label ? label.textContent.replace("*", "").trim() : name;
        items.push(text + ": " + body.fields[name]);
      });
    }
    if (items.length) {
      var list = document.createElement("ul");
      list.className = "ss-reasons";
      items.forEach(function (text) {
        var li = document.createElement("li");
        li.textContent = text;
        list.appendChild(li);
      });
      box.appendChild(list);
    }
    box.hidden = false;
    box.focus && box.setAttribute("tabindex", "-1");
  }

  function enhance(form) {
    if (!window.FormData || !window.XMLHttpRequest) {
      return;
    }
    var wrap = form.querySelector("[data-upload-progress]");
    var bar = form.querySelector("progress");
    var status = form.querySelector("[data-upload-status]");
    var errorBox = form.querySelector("[data-upload-error]");
    var submit = form.querySelector('button[type="submit"]');
    var cancel = form.querySelector("[data-upload-cancel]");
    var csrf = form.querySelector('input[name="csrf_token"]');
    var lang = document.documentElement.lang || "id";
    var msg = form.dataset;
    var xhr = null;

    function reset() {
      submit.disabled = false;
      if (cancel) { cancel.hidden = true; }
      xhr = null;
    }

    if (cancel) {
      cancel.addEventListener("click", function () {
        if (xhr) { xhr.abort(); }
      });
    }

    form.addEventListener("submit", function (event) {
      if (!form.checkValidity()) {
        return;
      }
      event.preventDefault();
      errorBox.hidden = true;
      var data = new FormData(form);
      xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      if (csrf) { xhr.setRequestHeader("X-CSRF-Token", csrf.value); }
      wrap.hidden = false;
      bar.value = 0;
      bar.max = 100;
      submit.disabled = true;
      if (cancel) { cancel.hidden = false; }
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        var percent = Math.floor((e.loaded / e.total) * 100);
        bar.max = e.total;
        bar.value = e.loaded;
        wrap.dataset.percent = String(percent);
        status.textContent = format(msg.msgProgress, { percent: percent, loaded: size(e.loaded, lang), total: size(e.total, lang) });
      });
      xhr.upload.addEventListener("load", function () {
        bar.value = bar.max;
        wrap.dataset.percent = "100";
        status.textContent = msg.msgProcessing;
      });
      xhr.addEventListener("load", function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = null; }
        if (xhr.status >= 200 && xhr.status < 300 && body && body.ok) {
          status.textContent = msg.msgDone;
          wrap.dataset.state = "done";
          window.location.assign(body.redirect);
          return;
        }
        wrap.dataset.state = "failed";
        status.textContent = "";
        showProblem(errorBox, body, msg.msgFailed);
        reset();
      });
      xhr.addEventListener("error", function () {
        wrap.dataset.state = "failed";
        showProblem(errorBox, null, msg.msgNetwork);
        reset();
      });
      xhr.addEventListener("abort", function () {
        wrap.dataset.state = "aborted";
        status.textContent = msg.msgAborted;
        reset();
      });
      xhr.send(data);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), enhance);
  });
}());
