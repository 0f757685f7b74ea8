"use strict";
// Filters and sorting for the photo cards, their lazy thumbnails, and the later cards waiting in <noscript> blocks.
// Without this script the report still reads in its own order: the controls stay hidden, the first cards keep their
// inline thumbnails, and the browser reads each <noscript> block as the cards it holds.
(() => {
  const form = document.getElementById("filters");
  const list = document.getElementById("cards");
  if (!form || !list) return;
  const [account, action, signal, sort] = ["account", "action", "signal", "sort"].map((name) => document.getElementById("filter-" + name));
  const count = document.getElementById("filter-count");
  const cards = [];  // in report order, as they come into the page
  const facts = new Map();
  const inOrder = (a, b) => a.dataset.order - b.dataset.order;
  const orders = {
    order: inOrder,
    score: (a, b) => b.dataset.score - a.dataset.score || inOrder(a, b),
    date: (a, b) => (a.dataset.date < b.dataset.date) - (a.dataset.date > b.dataset.date) || inOrder(a, b),
    account: (a, b) => a.dataset.account.localeCompare(b.dataset.account) || inOrder(a, b),
  };

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

  function adopt(card) {
    cards.push(card);
    facts.set(card, { accounts: JSON.parse(card.dataset.accounts), signals: JSON.parse(card.dataset.signals) });
    card.querySelectorAll("img[data-thumb]").forEach((img) => watcher.observe(img));
  }
  list.querySelectorAll(":scope > .card").forEach(adopt);

  // Cards past the first ones wait in <noscript> blocks, which the browser has read as text: a block becomes its cards
  // when the browser is idle once the page has loaded (so that find-in-page and screen readers soon reach every
  // card), or at once when the filters, a link to a card or printing need every card.
  const blocks = Array.from(list.querySelectorAll(":scope > noscript"));
  function unfold() {
    const block = blocks.shift(), holder = document.createElement("template");
    holder.innerHTML = block.textContent;  // the template's own escaped markup, as the browser would have read it
    Array.from(holder.content.children).forEach(adopt);
    block.replaceWith(holder.content);
  }
  const unfoldAll = () => { while (blocks.length) unfold(); };
  const idle = window.requestIdleCallback || ((next) => setTimeout(next, 50));
  const unfoldWhenIdle = () => { if (blocks.length) { unfold(); idle(unfoldWhenIdle); } };
  addEventListener("load", () => idle(unfoldWhenIdle));

  let sorted = "order";  // the cards are written in report order: moving 10,000 of them for nothing takes a while
  function update() {
    if (account.value || action.value || signal.value || sort.value !== sorted) unfoldAll();
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
    const waiting = blocks.reduce((sum, block) => sum + Number(block.dataset.cards), 0);  // no filter hides them
    count.textContent = count.dataset.text.replace("{shown}", shown + waiting).replace("{total}", cards.length + waiting);
  }

  // A link from the plan or a section to a card that is still waiting, or that a filter hides: show it.
  function reveal() {
    const id = decodeURIComponent(location.hash.slice(1));
    const waiting = Boolean(id) && !document.getElementById(id) && blocks.length > 0;
    if (waiting) unfoldAll();
    const target = id && document.getElementById(id);
    if (!target || !facts.has(target) || !(waiting || target.hidden)) return;
    if (target.hidden) form.reset();
    setTimeout(() => target.scrollIntoView());
  }

  form.addEventListener("change", update);
  form.addEventListener("reset", () => setTimeout(update));  // the form resets its controls after this event
  addEventListener("hashchange", reveal);
  form.hidden = false;
  update();
  reveal();  // opened at a link to a card still waiting
  // A printed report shows every card with its thumbnail, and every step of the plan, the ones told in one line too,
  // with what the plan adds up to.
  addEventListener("beforeprint", () => {
    unfoldAll();
    list.querySelectorAll("img[data-thumb]").forEach(show);
    document.querySelectorAll("details.plan-rest, details.plan-about").forEach((details) => { details.open = true; });
  });
})();
