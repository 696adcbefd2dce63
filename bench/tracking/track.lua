-- wrk script: GET /api/v1/track/{number} with a random existing number from $TRACK_LIST
-- (one per line); fails the run's summary with non-2xx counts if any lookup misses.
local numbers = {}
function init(args)
  for line in io.lines(os.getenv("TRACK_LIST")) do numbers[#numbers + 1] = line end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end
function request()
  return wrk.format("GET", "/api/v1/track/" .. numbers[math.random(#numbers)])
end
