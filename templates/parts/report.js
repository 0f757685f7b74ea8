"use strict";
// Filters and sorting for the photo cards, and their lazy thumbnails. Without this script the report still reads
// in its own order: the controls stay hidden and the first cards keep their inline thumbnails.
(() => {
  const form = document.getElementById("filters");
  const list = document.getElementById("cards");
  if (!form || !list) return;
  const [account, action, signal, sort] = ["account", "action", "signal", "sort"].map((name) => document.getElementById("filter-" + name));
  const count = document.getElementById("filter-count");
  const cards = Array.from(list.children);
  const facts = new Map(cards.map((card) => [card, { accounts: JSON.parse(card.dataset.accounts), signals: JSON.parse(card.dataset.signals) }]));
  const inOrder = (a, b) => a.dataset.order - b.dataset.order;
  const orders = {
    order: inOrder,
    score: (a, b) => b.dataset.score - a.dataset.score || inOrder(a, b),
    date: (a, b) => (a.dataset.date < b.dataset.date) - (a.dataset.date > b.dataset.date) || inOrder(a, b),
    account: (a, b) => a.dataset.account.localeCompare(b.dataset.account) || inOrder(a, b),
  };

  let sorted = "order";  // the cards are written in report order: moving 10,000 of them for nothing takes a while
  function update() {
    let shown = 0;
    for (const card of cards) {
      const { accounts, signals } = facts.get(card);
      card.hidden = Boolean((account.value && !accounts.includes(account.value))
        || (action.value && card.dataset.action !== action.value)
        || (signal.value && !signals.includes(signal.value)));
      shown += card.hidden ? 0 : 1;
    }
    if (sort.value !== sorted) {
      list.append(...cards.slice().sort(orders[sort.value]));
      sorted = sort.value;
    }
    count.textContent = count.dataset.text.replace("{shown}", shown).replace("{total}", cards.length);
  }

  form.addEventListener("change", update);
  form.addEventListener("reset", () => setTimeout(update));  // the form resets its controls after this event
  // A link from the plan or a section to a card that a filter hides: show everything again.
  addEventListener("hashchange", () => {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.hidden && facts.has(target)) {
      form.reset();
      setTimeout(() => target.scrollIntoView());
    }
  });
  form.hidden = false;
  update();

  // Thumbnails of later cards wait in one text block, a line each (tens of megabytes in a large report: split when
  // first needed), and go into their <img> as the card comes within two screens of view, or when the page is printed.
  const store = document.getElementById("thumbnails");
  let thumbnails = null;
  const watcher = new IntersectionObserver((entries) => {
    for (const entry of entries) if (entry.isIntersecting) show(entry.target);
  }, { rootMargin: "200% 0px" });
  function show(img) {
    thumbnails = thumbnails || store.textContent.split("\n");
    img.src = thumbnails[img.dataset.thumb];
    img.removeAttribute("data-thumb");
    watcher.unobserve(img);
  }
  const waiting = () => list.querySelectorAll("img[data-thumb]");
  waiting().forEach((img) => watcher.observe(img));
  // A printed plan lists every step, the ones told in one line too.
  addEventListener("beforeprint", () => {
    waiting().forEach(show);
    document.querySelectorAll("details.plan-rest").forEach((details) => { details.open = true; });
  });
})();
