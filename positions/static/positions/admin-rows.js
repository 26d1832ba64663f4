'use strict';
/* Buttons to another page of a round's rows (templates/admin/negotiations/round/row_pages.html).
 *
 * Each saves the round's page, then shows the rows it names: it submits the form with
 * "_rows=<formset>=<page>" (RoundAdmin.response_change). They are plain buttons, not submit
 * buttons, so Enter in a field still means "Save", the form's first submit button.
 */
document.addEventListener('click', (event) => {
    const button = event.target.closest && event.target.closest('button.row-page');
    if (!button || !button.form) {
        return;
    }
    const form = button.form;
    let field = form.elements.namedItem('_rows');
    if (!field) {
        field = document.createElement('input');
        field.type = 'hidden';
        field.name = '_rows';
        form.appendChild(field);
    }
    field.value = button.dataset.rows;
    form.requestSubmit();
});
