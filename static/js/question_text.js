/* The question-markers page: under each turn's select, the whole text of the question
   chosen (a select shows only the start of it). The page writes the saved choice's text;
   this shows the text of another as soon as it is chosen, from the option's title. */

export function install() {
  document.addEventListener("change", (event) => {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.dataset.questionText) return;
    const shown = document.getElementById(select.dataset.questionText);
    if (shown) shown.textContent = select.selectedOptions[0]?.title ?? "";
  });
}
