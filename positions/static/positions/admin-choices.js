'use strict';
/* Statement selects that offer only what fits their row (positions/forms.py RowChoicesSelect).
 *
 * Each select.parley-choices becomes Django admin's select2 autocomplete. Its request also
 * carries the row's round, party and issue, so RoundAdmin.choices_view answers with only the
 * stances of the row's issue, or the demands "softens" / "in return for" may name. A
 * concession row also offers the demand rows added on the same page ("new:<row>"). The
 * server validates every choice again; this only narrows what is offered.
 */
{
    const $ = django.jQuery;

    function rowValue(select, name) {
        const prefix = select.name.slice(0, select.name.length - select.dataset.field.length);
        const input = select.form && select.form.elements.namedItem(prefix + name);
        return input && input.value ? input.value : '';
    }

    function selectedText(select) {
        const option = select.selectedOptions && select.selectedOptions[0];
        return option ? option.textContent.trim() : '';
    }

    // Demand rows of this page not saved yet, that this concession row may answer.
    function newDemandRows(select, term) {
        const field = select.dataset.field;
        if (field !== 'softens' && field !== 'in_return_for') {
            return [];
        }
        const party = rowValue(select, 'party');
        const issue = rowValue(select, 'issue');
        const rows = [];
        document.querySelectorAll('select[name^="demands-"][name$="-party"]').forEach((partySelect) => {
            const prefix = partySelect.name.slice(0, -'party'.length);
            if (prefix.includes('__prefix__')) {
                return;
            }
            const form = partySelect.form;
            const id = form.elements.namedItem(prefix + 'id');
            const issueSelect = form.elements.namedItem(prefix + 'issue');
            const text = form.elements.namedItem(prefix + 'text');
            if ((id && id.value) || !partySelect.value || !issueSelect || !issueSelect.value) {
                return;
            }
            const fits = field === 'softens'
                ? (!party || partySelect.value === party) && (!issue || issueSelect.value === issue)
                : !party || partySelect.value !== party;
            const words = text ? text.value.slice(0, 60) : '';
            const label = 'New row: ' + selectedText(partySelect) + ' · ' + selectedText(issueSelect) + ': ' + words;
            if (fits && (!term || label.toLowerCase().includes(term.toLowerCase()))) {
                rows.push({id: 'new:' + prefix.split('-')[1], text: label});
            }
        });
        return rows;
    }

    function initChoices(select) {
        $(select).select2({
            ajax: {
                data: (params) => ({
                    term: params.term || '',
                    page: params.page || 1,
                    field: select.dataset.field,
                    round: select.dataset.round || rowValue(select, 'round'),
                    party: rowValue(select, 'party'),
                    issue: rowValue(select, 'issue')
                }),
                processResults: (data, params) => {
                    const fresh = (params.page || 1) === 1 ? newDemandRows(select, params.term) : [];
                    return {results: fresh.concat(data.results), pagination: data.pagination};
                }
            }
        });
    }

    // A stance or softened demand picked for another issue no longer fits: clear it.
    function clearDependents(changed) {
        const match = /^(.*)(party|issue)$/.exec(changed.name || '');
        if (!match || !changed.form) {
            return;
        }
        const dependents = match[2] === 'issue' ? ['stance', 'softens'] : ['softens'];
        dependents.forEach((name) => {
            const select = changed.form.elements.namedItem(match[1] + name);
            if (select && select.classList && select.classList.contains('parley-choices') && select.value) {
                $(select).val(null).trigger('change');
            }
        });
    }

    $(function() {
        $('select.parley-choices').not('[name*=__prefix__]').each((i, select) => initChoices(select));
        $(document).on('change', 'select', (event) => clearDependents(event.target));
    });

    // Removing a demand row renumbers the rows after it, so "new:<row>" could come to name
    // another row: clear every such pick, for the analyst to choose again.
    document.addEventListener('formset:removed', (event) => {
        if (event.detail && event.detail.formsetName !== 'demands') {
            return;
        }
        document.querySelectorAll('select.parley-choices').forEach((select) => {
            if (select.value && select.value.startsWith('new:')) {
                $(select).val(null).trigger('change');
            }
        });
    });

    document.addEventListener('formset:added', (event) => {
        $(event.target).find('select.parley-choices').each((i, select) => initChoices(select));
    });
}
