-- wrk script for bench/events/run.py: single events, one per request, each for its own item.
-- EVENTS_FILE holds one "TRACKING_NUMBER EVENT_ID" line per event (made by run.py); wrk's
-- threads take every WRK_THREADS-th line from their number on and send each line once, for
-- wrk's whole duration (-d): a thread that runs out of lines says so (exhausted=1), and
-- run.py refuses the run, since the rate is counted over that duration. done() prints one
-- RESULT line for run.py.
local threads = {}
local count = 0

function setup(thread)
  thread:set("tid", count)
  count = count + 1
  table.insert(threads, thread)
end

function init(args)
  lines = {}
  local n = tonumber(os.getenv("WRK_THREADS"))
  local i = 0
  for line in io.lines(os.getenv("EVENTS_FILE")) do
    if i % n == tid then table.insert(lines, line) end
    i = i + 1
  end
  sent, recorded, other, exhausted = 0, 0, 0, 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("HOSO_TOKEN")
end

function request()
  -- Past the end, the last event again: answered as a duplicate, not counted as recorded.
  if sent >= #lines then exhausted = 1 end
  sent = math.min(sent + 1, #lines)
  local tn, id = lines[sent]:match("(%S+) (%S+)")
  return wrk.format(nil, "/api/v1/events", nil,
    '{"id":"' .. id .. '","item":"' .. tn .. '","type":"dispatch"}')
end

function response(status, headers, body)
  if status == 200 and body:find('"status":"recorded"', 1, true) then
    recorded = recorded + 1
  elseif not (status == 200 and body:find('"status":"duplicate"', 1, true)) then
    other = other + 1
  end
end

function done(summary, latency, requests)
  local rec, oth, ex = 0, 0, 0
  for _, t in ipairs(threads) do
    rec = rec + t:get("recorded")
    oth = oth + t:get("other")
    ex = ex + t:get("exhausted")
  end
  io.write(string.format(
    "RESULT recorded=%d other=%d exhausted=%d duration_us=%d p50_us=%d p99_us=%d\n",
    rec, oth, ex, summary.duration, latency:percentile(50), latency:percentile(99)))
end
