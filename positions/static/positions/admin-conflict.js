/* "Keep theirs" on the conflict screen (positions/forms.py conflict_html): put the values they
   saved back into the form, as loaded values too, and take their version, so the record reads
   as theirs and saving changes nothing unless the analyst edits again. "Keep mine" is a plain
   submit button and needs no script. */
(function () {
  "use strict";

  function setField(form, name, value, labels) {
    var values = Array.isArray(value) ? value.map(String) : [String(value)];
    [name, "initial-" + name].forEach(function (fieldName) {
      form.querySelectorAll('[name="' + fieldName + '"]').forEach(function (input) {
        if (input.tagName === "SELECT") {
          values.forEach(function (v) {
            if (v !== "" && !input.querySelector('option[value="' + CSS.escape(v) + '"]')) {
              input.add(new Option(labels[v] || v, v));
            }
          });
          Array.prototype.forEach.call(input.options, function (option) {
            option.selected = values.indexOf(option.value) !== -1;
          });
          if (window.django && window.django.jQuery) {
            window.django.jQuery(input).trigger("change");
          }
        } else if (input.type === "checkbox") {
          input.checked = value === true || value === "True" || value === "on";
        } else if (input.type === "hidden" && Array.isArray(value)) {
          input.value = values.join(",");
        } else {
          input.value = values.join(",");
        }
      });
    });
    // A multiple select's loaded values are posted as several hidden inputs: rebuild them.
    if (Array.isArray(value)) {
      var hidden = form.querySelectorAll('input[type="hidden"][name="initial-' + name + '"]');
      if (hidden.length) {
        var parent = hidden[0].parentNode;
        hidden.forEach(function (input) { input.remove(); });
        values.forEach(function (v) {
          var input = document.createElement("input");
          input.type = "hidden";
          input.name = "initial-" + name;
          input.value = v;
          parent.appendChild(input);
        });
      }
    }
  }

  function keepTheirs(conflict) {
    var form = conflict.closest("form");
    conflict.querySelectorAll("td.theirs[data-field]").forEach(function (cell) {
      setField(form, cell.dataset.field, JSON.parse(cell.dataset.value),
               JSON.parse(cell.dataset.labels || "{}"));
    });
    form.querySelectorAll('[name="' + conflict.dataset.versionField + '"]').forEach(function (input) {
      input.value = conflict.dataset.version;
    });
    conflict.classList.add("resolved");
    conflict.querySelectorAll("button").forEach(function (button) { button.hidden = true; });
    var note = document.createElement("p");
    note.className = "kept-theirs";
    note.setAttribute("role", "status");
    note.textContent = "Their values are back in the form. Nothing needs saving unless you change something.";
    conflict.appendChild(note);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".conflict button.keep-theirs").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { keepTheirs(button.closest(".conflict")); });
    });
  });
})();
