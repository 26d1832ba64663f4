'use strict';
/* A round's date typed in words (negotiations/admin.py DatedRoundForm).
 *
 * While the analyst types, asks the server how it reads the words (the same Python parser
 * that reads them on saving), shows the reading under the field and fills the date, its
 * precision and part. Saving reads the words again; this only shows them back early.
 */
{
    function init(input) {
        const form = input.form;
        const note = document.createElement('p');
        note.className = 'help date-words-result';
        note.setAttribute('aria-live', 'polite');
        input.insertAdjacentElement('afterend', note);
        let timer = null;
        let asked = 0;

        function fill(name, value) {
            const field = form.elements.namedItem(name);
            if (field) {
                field.value = value;
            }
        }

        function read() {
            const text = input.value.trim();
            const ticket = ++asked;
            if (!text) {
                note.textContent = '';
                note.classList.remove('errornote-inline');
                return;
            }
            fetch(input.dataset.url + '?text=' + encodeURIComponent(text), {credentials: 'same-origin'})
                .then((response) => response.json())
                .then((reading) => {
                    if (ticket !== asked) {
                        return;
                    }
                    if (reading.error) {
                        note.textContent = reading.error;
                        note.classList.add('errornote-inline');
                        return;
                    }
                    note.textContent = reading.shown;
                    note.classList.remove('errornote-inline');
                    fill('start_date', reading.start_date);
                    fill('date_precision', reading.precision);
                    fill('date_part', reading.part);
                });
        }

        input.addEventListener('input', () => {
            clearTimeout(timer);
            timer = setTimeout(read, 250);
        });
        if (input.value.trim()) {
            read();
        }
    }

    document.addEventListener('DOMContentLoaded', () => {
        document.querySelectorAll('input.date-words').forEach(init);
    });
}
