-- wrk script: spreads wrk's threads over several daemons on 127.0.0.1, thread k (from 0) to
-- the port HOSO_PORTS[k mod N] ("8081 8082 8083"), so one wrk loads N daemons and its
-- latency percentiles cover all of them. The requests are those of the script named by
-- WRK_SCRIPT (bench/tracking/track.lua, bench/accept/post.lua), or wrk's plain GET of the
-- URL's path when it is empty. Use a thread count that is a multiple of N.
local inner = os.getenv("WRK_SCRIPT")
if inner and inner ~= "" then
  dofile(inner)
end

local ports = {}
for p in string.gmatch(os.getenv("HOSO_PORTS") or "", "%d+") do
  ports[#ports + 1] = p
end
local next_thread = 0

function setup(thread)
  if #ports > 0 then
    local port = ports[next_thread % #ports + 1]
    local addrs = wrk.lookup("127.0.0.1", port)
    thread.addr = addrs[1]
  end
  next_thread = next_thread + 1
end
