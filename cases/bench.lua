-- wrk's report for cases/bench.py: latency percentiles (microseconds), requests,
-- duration and responses outside 2xx/3xx-expected, counted per thread and summed at the end.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  expected = tonumber(args[1] or "200")
  unexpected = 0
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local unexpected_total = 0
  for _, thread in ipairs(threads) do
    unexpected_total = unexpected_total + thread:get("unexpected")
  end
  io.write(string.format(
    "RESULT %d %d %d %d %d %d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.requests, summary.duration, unexpected_total
  ))
end
