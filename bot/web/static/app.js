// Progressive enhancement for the chat page: the forms work without this script (they post
// and the server renders the page); with it, they post in the background with X-Fragment: 1
// and only the changed piece of the page is swapped in. No other requests, no storage.
"use strict";

(() => {
  const status = document.getElementById("status");
  const answers = document.getElementById("answers");
  const question = document.getElementById("question");
  const questionError = document.getElementById("question-error");
  if (!status || !answers || !question || !questionError || !window.fetch) {
    return;
  }

  // Clear first so that the same words said twice are announced twice. An answer's summary
  // is for screen readers only: sighted users see the answer itself.
  let pending = 0;
  const say = (message, { quiet = false } = {}) => {
    status.textContent = "";
    status.classList.toggle("visually-hidden", quiet);
    window.clearTimeout(pending);
    pending = window.setTimeout(() => {
      status.textContent = message || "";
    }, 60);
  };

  const parse = (html) => {
    const template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  };

  const post = async (form, submitter) => {
    const body = new URLSearchParams(new FormData(form));
    if (submitter && submitter.name) {
      body.append(submitter.name, submitter.value);
    }
    const response = await fetch(form.action, {
      method: "POST",
      body,
      headers: { "X-Fragment": "1" },
      credentials: "same-origin",
    });
    const type = response.headers.get("content-type") || "";
    if (!type.startsWith("text/html")) {
      throw new Error(`unexpected answer (${response.status})`);
    }
    return parse(await response.text());
  };

  const showError = (message) => {
    questionError.textContent = message;
    questionError.hidden = false;
    question.setAttribute("aria-invalid", "true");
    question.focus();
  };

  const clearError = () => {
    questionError.textContent = "";
    questionError.hidden = true;
    question.removeAttribute("aria-invalid");
  };

  const focusHeading = (article) => {
    const heading = article && article.querySelector("h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  };

  const onAsk = async (form, submitter) => {
    const field = form.elements.namedItem("q");
    if (!field || !field.value.trim()) {
      showError(status.dataset.empty);
      say(status.dataset.empty);
      return;
    }
    clearError();
    say(status.dataset.searching);
    const fragment = await post(form, submitter);
    const article = fragment.querySelector("article");
    answers.prepend(fragment);
    const examples = document.getElementById("examples");
    if (form.id === "ask") {
      question.value = "";
    } else {
      // The pressed suggestion may be about to vanish: go to the answer it asked for.
      focusHeading(article);
    }
    if (examples) {
      examples.remove();
    }
    say(article ? article.dataset.announce : "", { quiet: Boolean(article) });
  };

  const onMore = async (form) => {
    const article = form.closest("article");
    const list = article && article.querySelector("ol.results");
    const slot = form.parentElement;
    const fragment = await post(form);
    const items = Array.from(fragment.querySelectorAll("li.result"));
    if (!list || !slot || items.length === 0) {
      const message = fragment.querySelector("article");
      answers.prepend(fragment);
      say(message ? message.dataset.announce : status.dataset.error);
      return;
    }
    const next = fragment.querySelector("form.more");
    list.append(...items);
    slot.replaceChildren(...(next ? [next] : []));
    items[0].focus();
  };

  const onFeedback = async (form, submitter) => {
    const fragment = await post(form, submitter);
    const replacement = fragment.querySelector("form.feedback");
    if (!replacement) {
      const message = fragment.querySelector("article");
      answers.prepend(fragment);
      say(message ? message.dataset.announce : status.dataset.error);
      return;
    }
    form.replaceWith(replacement);
    const pressed = replacement.querySelector("[aria-pressed='true']");
    if (pressed) {
      pressed.focus();
    }
    const thanks = replacement.querySelector(".thanks");
    say(thanks ? thanks.textContent : "");
  };

  const handlers = { ask: onAsk, more: onMore, feedback: onFeedback };

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    const handler = form instanceof HTMLFormElement ? handlers[form.dataset.kind] : undefined;
    if (!handler) {
      return;
    }
    event.preventDefault();
    if (form.dataset.busy) {
      return;
    }
    form.dataset.busy = "1";
    answers.setAttribute("aria-busy", "true");
    try {
      await handler(form, event.submitter);
    } catch (error) {
      say(status.dataset.error);
    } finally {
      delete form.dataset.busy;
      answers.removeAttribute("aria-busy");
    }
  });
})();
