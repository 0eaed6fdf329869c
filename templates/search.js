// The search page: asks the static Pagefind index (pagefind/<n>/, made at publish) and lists
// the articles found with their title, type and summary. No server code: any static host
// serves it (browsers refuse it over file://). Text only: nothing from the index becomes
// markup.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!form || !input || !status || !list) {
    return;
  }
  var base = new URL("./", document.baseURI);
  var MAX = 20;
  var asked = 0;
  var engine = null;

  function say(text) {
    status.textContent = text;
  }

  // The index is sharded: the first bundle answers, the others are merged into it.
  var bundles = (list.getAttribute("data-bundles") || "").split(" ").filter(Boolean);

  function load() {
    if (!engine) {
      if (!bundles.length) {
        engine = Promise.reject(new Error("no search index"));
        return engine;
      }
      var options = { baseUrl: base.pathname };
      engine = import(new URL(bundles[0] + "pagefind.js", base).href).then(function (pagefind) {
        return Promise.resolve(pagefind.options(options)).then(function () {
          return Promise.all(bundles.slice(1).map(function (bundle) {
            return pagefind.mergeIndex(new URL(bundle, base).pathname, options);
          }));
        }).then(function () {
          return pagefind;
        });
      });
    }
    return engine;
  }

  function item(data) {
    var li = document.createElement("li");
    li.className = "entry";
    var link = document.createElement("a");
    link.className = "entry-title";
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    li.appendChild(link);
    var type = data.meta && data.meta.type;
    if (type) {
      li.appendChild(document.createTextNode(" "));
      var span = document.createElement("span");
      span.className = "entry-type";
      span.textContent = type;
      li.appendChild(span);
    }
    var summary = data.meta && data.meta.summary;
    if (summary) {
      var p = document.createElement("p");
      p.className = "entry-summary";
      p.textContent = summary;
      li.appendChild(p);
    }
    return li;
  }

  function search(query) {
    var mine = ++asked;
    var text = query.trim();
    if (!text) {
      list.replaceChildren();
      say("Type a word to search.");
      return;
    }
    say("Searching…");
    load().then(function (pagefind) {
      return pagefind.search(text);
    }).then(function (found) {
      if (mine !== asked) {
        return null;
      }
      return Promise.all(found.results.slice(0, MAX).map(function (r) { return r.data(); }))
        .then(function (items) {
          if (mine !== asked) {
            return;
          }
          list.replaceChildren.apply(list, items.map(item));
          var total = found.results.length;
          say(total === 0 ? "No article matches “" + text + "”." :
            (total === 1 ? "1 article" : total + " articles") + " found for “" + text + "”" +
            (total > MAX ? "; the first " + MAX + " are shown." : "."));
        });
    }).catch(function () {
      if (mine === asked) {
        list.replaceChildren();
        say("Search is not available on this copy of the site. Browse the articles A to Z " +
            "from the front page instead.");
      }
    });
  }

  var timer = 0;
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { search(input.value); }, 200);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    window.history.replaceState(null, "", url.href);
    search(input.value);
  });
  var initial = new URLSearchParams(window.location.search).get("q") || "";
  input.value = initial;
  if (initial) {
    search(initial);
  }
}());
