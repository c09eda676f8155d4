-- POST one form body again and again; used by bench/http_submit.py.
--
--   wrk -t1 -c8 -d20s --latency -s bench/wrk/post.lua URL -- BODY_FILE COOKIE
--
-- BODY_FILE holds the url-encoded form (with its csrfmiddlewaretoken); COOKIE is the Cookie
-- header to send (the matching csrftoken). Each thread counts the requests it started and the
-- responses by status; done() prints one line "WRK_JSON {...}" with those counts, wrk's
-- summary and latency percentiles (microseconds), for the script to read. Requests still in
-- flight when wrk stops are the difference between "started" and the responses: the server
-- may still complete them, so a check of stored rows must allow exactly that many more.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   local file = assert(io.open(args[1], "rb"))
   local body = file:read("*a")
   file:close()
   wrk.method = "POST"
   wrk.body = body
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
   wrk.headers["Cookie"] = args[2]
   prepared = wrk.format()
   started = 0
   statuses = {}
end

function request()
   started = started + 1
   return prepared
end

function response(status, headers, body)
   local key = tostring(status)
   statuses[key] = (statuses[key] or 0) + 1
end

local function json_counts(counts)
   local parts = {}
   for key, value in pairs(counts) do
      table.insert(parts, string.format('"%s": %d', key, value))
   end
   return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
   local started_total, merged = 0, {}
   for _, thread in ipairs(threads) do
      started_total = started_total + (thread:get("started") or 0)
      for key, value in pairs(thread:get("statuses") or {}) do
         merged[key] = (merged[key] or 0) + value
      end
   end
   local e = summary.errors
   io.write(string.format(
      'WRK_JSON {"duration_us": %d, "requests": %d, "bytes": %d, "started": %d, ' ..
      '"statuses": %s, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, ' ..
      '"timeout": %d}, "latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, ' ..
      '"mean": %.1f}}\n',
      summary.duration, summary.requests, summary.bytes, started_total, json_counts(merged),
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      latency.mean))
end
