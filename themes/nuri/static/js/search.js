/* nuri search: finds Korean words inside particles and compounds (동맹 in 동맹을, 한미동맹),
   English words by prefix. Reads the sharded index that `nuri build` writes to /search/:
   documents are numbered oldest first and grouped in blocks, each with its own shards.
   No dependencies; works in browsers and, for tests, in Node. The tokenizer mirrors
   src/text/tokens.rs. */
(function (root) {
  'use strict';

  function isCjk(n) {
    return (n >= 0xac00 && n <= 0xd7a3) || (n >= 0x1100 && n <= 0x11ff) ||
      (n >= 0x3130 && n <= 0x318f) || (n >= 0x3040 && n <= 0x30ff) ||
      (n >= 0x3400 && n <= 0x4dbf) || (n >= 0x4e00 && n <= 0x9fff) ||
      (n >= 0xf900 && n <= 0xfaff);
  }
  var WORD = /[\p{Alphabetic}\p{N}]/u;
  function kind(c) {
    if (isCjk(c.codePointAt(0))) return 1;
    return WORD.test(c) ? 2 : 0;
  }

  /* Runs of CJK characters (1) and of other letters and digits (2). */
  function runs(text) {
    var out = [], cur = '', k = 0;
    for (var c of text) {
      var kc = kind(c);
      if (kc !== k) {
        if (k) out.push([k, cur]);
        cur = '';
        k = kc;
      }
      if (kc) cur += c;
    }
    if (k) out.push([k, cur]);
    return out;
  }

  function lower(s) {
    var out = '';
    for (var c of s) out += c.toLowerCase();
    return out;
  }

  /* Query terms: CJK bigrams (a unigram for a one-syllable run), words by prefix when they
     have three or more characters, exactly otherwise. */
  function queryTerms(query) {
    var terms = [];
    runs(query).forEach(function (r) {
      if (r[0] === 1) {
        var chars = Array.from(r[1]);
        if (chars.length === 1) terms.push({ kind: 'exact', text: chars[0] });
        for (var i = 0; i + 1 < chars.length; i++) terms.push({ kind: 'exact', text: chars[i] + chars[i + 1] });
      } else {
        var w = lower(r[1]);
        terms.push({ kind: Array.from(w).length >= 3 ? 'prefix' : 'word', text: w });
      }
    });
    // Each distinct term once, and at most 64 (a pasted paragraph must not freeze the page).
    var seen = new Set();
    return terms.filter(function (t) {
      var key = t.kind + ' ' + t.text;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }).slice(0, 64);
  }

  var encoder = typeof TextEncoder !== 'undefined' ? new TextEncoder() : null;
  function utf8(s) { return encoder.encode(s); }
  function fnv1a(s) {
    var h = 0x811c9dc5;
    utf8(s).forEach(function (b) { h ^= b; h = Math.imul(h, 0x01000193); });
    return h >>> 0;
  }
  function hex(s) {
    return Array.from(utf8(s), function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
  }
  /* The file of block `b` that holds `term`. */
  function shardOf(term, meta, b) {
    if (term.kind === 'exact') return b + '/k/' + (fnv1a(term.text) % meta.blocks[b].shards) + '.json';
    return b + '/w/' + hex(Array.from(term.text).slice(0, 3).join('')) + '.json';
  }

  /* Adds a posting list to `into` (one slot per document): an array of gaps, or a base64
     bitmap over all documents. Typed arrays, not maps: a common term lists thousands. */
  function addList(list, into, weight) {
    if (typeof list === 'string') {
      var bytes = decode64(list);
      for (var i = 0; i < bytes.length; i++) {
        var b = bytes[i];
        for (var bit = 0; b; bit++, b >>= 1) {
          var d = i * 8 + bit;
          if ((b & 1) && d < into.length && into[d] < weight) into[d] = weight;
        }
      }
      return;
    }
    var doc = 0;
    for (var j = 0; j < list.length; j++) {
      doc += list[j];
      if (doc < into.length && into[doc] < weight) into[doc] = weight;
    }
  }

  function decode64(s) {
    if (typeof atob === 'function') {
      var bin = atob(s), out = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
      return out;
    }
    return Uint8Array.from(Buffer.from(s, 'base64'));
  }

  /* Documents of one block matching one term: per document 2 (in the title), 1 (in the
     body) or 0, written into `found` from `offset` on. */
  function docsFor(term, shard, found, offset, docs) {
    var block = new Uint8Array(docs);
    if (term.kind === 'prefix') {
      Object.keys(shard).forEach(function (key) {
        if (key.startsWith(term.text)) {
          addList(shard[key][0], block, 2);
          addList(shard[key][1], block, 1);
        }
      });
    } else if (shard[term.text]) {
      addList(shard[term.text][0], block, 2);
      addList(shard[term.text][1], block, 1);
    }
    for (var d = 0; d < docs; d++) if (block[d] > found[offset + d]) found[offset + d] = block[d];
  }

  /* Ranked document numbers for `query`. `load(file)` resolves a file of the index as JSON.
     Documents with every term come first; among them, more title hits, then the newest
     (the largest number). `edition` (a language, optional) keeps that edition's documents
     only, on a site with more than one. */
  async function search(query, load, edition) {
    var meta = await load('meta.json');
    var keep = null;
    if (edition && meta.editions) {
      var e = meta.editions.indexOf(edition);
      if (e >= 0) keep = String(e);
    }
    var terms = queryTerms(query);
    if (!terms.length) return { docs: [], terms: terms, complete: true };
    var files = new Set();
    meta.blocks.forEach(function (_, b) {
      terms.forEach(function (t) { files.add(shardOf(t, meta, b)); });
    });
    var shards = {};
    await Promise.all(Array.from(files).map(function (f) {
      return load(f).then(function (s) { shards[f] = s; }, function () { shards[f] = {}; });
    }));
    var n = meta.docs, hits = new Uint8Array(n), titles = new Uint8Array(n);
    terms.forEach(function (t) {
      var found = new Uint8Array(n), offset = 0;
      meta.blocks.forEach(function (block, b) {
        docsFor(t, shards[shardOf(t, meta, b)], found, offset, block.docs);
        offset += block.docs;
      });
      for (var d = 0; d < n; d++) {
        if (found[d]) {
          hits[d] += 1;
          if (found[d] === 2) titles[d] += 1;
        }
      }
    });
    var all = [], full = [];
    for (var d = 0; d < n; d++) {
      if (hits[d] && (keep === null || meta.edition_of.charAt(d) === keep)) {
        all.push(d);
        if (hits[d] === terms.length) full.push(d);
      }
    }
    var docs = full.length ? full : all;
    docs.sort(function (a, b) {
      return (hits[b] - hits[a]) || (titles[b] - titles[a]) || (b - a);
    });
    return { docs: docs, terms: terms, complete: full.length > 0, batch: meta.batch };
  }

  /* Result data (url, title, date, section, lang, text) for document numbers, read from
     the files of a hundred documents each. */
  async function documents(ids, load) {
    var meta = await load('meta.json');
    return Promise.all(ids.map(function (id) {
      return load('d/' + Math.floor(id / meta.batch) + '.json').then(function (batch) {
        var d = batch[id % meta.batch];
        return { id: id, url: d[0], title: d[1], date: d[2], section: d[3], lang: d[4], text: d[5] };
      });
    }));
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  /* What to highlight: the query's runs as typed, or their bigrams where the text lacks them. */
  function needles(query, text) {
    var hay = lower(text), out = [];
    runs(query).forEach(function (r) {
      var n = lower(r[1]);
      if (hay.indexOf(n) >= 0 || r[0] !== 1) { out.push(n); return; }
      var chars = Array.from(n);
      for (var i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    });
    return out.filter(function (n) { return n.length; }).sort(function (a, b) { return b.length - a.length; });
  }

  /* Escaped text with every needle wrapped in <mark>. */
  function highlight(text, list) {
    var hay = lower(text);
    if (hay.length !== text.length) return escapeHtml(text);
    var out = '', i = 0;
    while (i < text.length) {
      var hit = null;
      for (var k = 0; k < list.length; k++) {
        if (hay.startsWith(list[k], i)) { hit = list[k]; break; }
      }
      if (hit) {
        out += '<mark>' + escapeHtml(text.substr(i, hit.length)) + '</mark>';
        i += hit.length;
      } else {
        out += escapeHtml(text[i]);
        i += 1;
      }
    }
    return out;
  }

  /* A window of the text around the first match, highlighted. */
  function snippet(text, query, size) {
    size = size || 140;
    var list = needles(query, text);
    var hay = lower(text), at = -1;
    list.forEach(function (n) {
      var p = hay.indexOf(n);
      if (p >= 0 && (at < 0 || p < at)) at = p;
    });
    var start = at < 0 ? 0 : Math.max(0, at - Math.floor(size / 3));
    if (start > 0) {
      var space = text.lastIndexOf(' ', start);
      if (space > start - 15) start = space + 1;
    }
    var end = Math.min(text.length, start + size);
    var cut = text.slice(start, end).replace(/\s+/g, ' ');
    return (start > 0 ? '… ' : '') + highlight(cut, list) + (end < text.length ? ' …' : '');
  }

  var api = {
    runs: runs, queryTerms: queryTerms, fnv1a: fnv1a, shardOf: shardOf,
    search: search, documents: documents, snippet: snippet, highlight: highlight, escapeHtml: escapeHtml
  };

  function init() {
    var form = document.querySelector('form[data-nuri-search]');
    var list = document.getElementById('search-results');
    var status = document.getElementById('search-status');
    if (!form || !list || !status) return;
    var base = form.getAttribute('data-index');
    var edition = form.getAttribute('data-edition');
    var input = form.querySelector('input[name="q"]');
    // The status line's strings come from the page (the theme's i18n files), each with
    // {query} and {count} to fill in; English stands in for a page that lacks one.
    function text(name, fallback) {
      var t = form.getAttribute('data-' + name);
      return t === null ? fallback : t;
    }
    var strings = {
      searching: text('searching', 'Searching for ‘{query}’…'),
      found: text('found', '{count} results for ‘{query}’'),
      partial: text('partial', ' (partial matches)'),
      top: text('top', ', showing the top 10'),
      none: text('none', 'No results for ‘{query}’.')
    };
    // One pass, so a query that itself contains `{count}` is printed as typed.
    function fill(template, values) {
      return template.replace(/\{(\w+)\}/g, function (m, name) {
        return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : m;
      });
    }
    var cache = new Map();
    function load(file) {
      if (!cache.has(file)) {
        cache.set(file, fetch(base + file).then(function (r) {
          if (!r.ok) throw new Error(file + ': ' + r.status);
          return r.json();
        }));
      }
      return cache.get(file);
    }
    // The index's counts are needed by every query: fetch them while the reader types.
    load('meta.json').catch(function () { cache.delete('meta.json'); });
    var latest = 0;
    async function run(query) {
      var ticket = ++latest;
      query = query.trim();
      history.replaceState(null, '', query ? '?q=' + encodeURIComponent(query) : location.pathname);
      if (!query) { list.innerHTML = ''; status.textContent = ''; return; }
      var started = performance.now();
      status.textContent = fill(strings.searching, { query: query });
      var found = await search(query, load, edition);
      var docs = await documents(found.docs.slice(0, 10), load);
      if (ticket !== latest) return;
      list.innerHTML = docs.map(function (d) {
        var lang = d.lang ? ' lang="' + escapeHtml(d.lang) + '"' : '';
        var title = highlight(d.title, needles(query, d.title));
        return '<li class="result"' + lang + '><h2 class="result__title"><a href="' + escapeHtml(d.url) + '">' + title + '</a></h2>' +
          '<p class="result__meta">' + escapeHtml(d.section) + (d.section ? ' · ' : '') + '<time>' + escapeHtml(d.date) + '</time></p>' +
          '<p class="result__snippet">' + snippet(d.text, query) + '</p></li>';
      }).join('');
      var ms = Math.round(performance.now() - started);
      list.setAttribute('data-ms', String(ms));
      list.setAttribute('data-total', String(found.docs.length));
      var values = { query: query, count: String(found.docs.length) };
      status.textContent = found.docs.length
        ? fill(strings.found, values) + (found.complete ? '' : fill(strings.partial, values)) + (found.docs.length > 10 ? fill(strings.top, values) : '')
        : fill(strings.none, values);
    }
    var timer = null;
    form.addEventListener('submit', function (e) { e.preventDefault(); run(input.value); });
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { run(input.value); }, 250);
    });
    var q = new URLSearchParams(location.search).get('q');
    if (q) { input.value = q; run(q); }
  }

  if (typeof module !== 'undefined' && module.exports) {
    module.exports = api;
  } else {
    root.NuriSearch = api;
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
    else init();
  }
})(this);
