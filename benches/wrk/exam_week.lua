-- Exam week for wrk: each thread is one assessor on one connection, saving their score sheet
-- the way the phone app does (PUT .../sheets/mine with the whole sheet so far and the
-- revision of the last save), one criterion more (or a changed level, or a note) each time.
-- BENCH_DATA names a file: first line the criteria as "code:highest-level", then per
-- assessor a line
-- "caseId session-cookie csrf-token". BENCH_PATH is the tenant's app API base (/api/demo).

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

local function split(s)
  local out = {}
  for w in s:gmatch("%S+") do
    table.insert(out, w)
  end
  return out
end

function init(args)
  local f = assert(io.open(os.getenv("BENCH_DATA")))
  criteria, highest = {}, {}
  for _, c in ipairs(split(f:read("*l"))) do
    local code, top = c:match("^(.*):(%d+)$")
    table.insert(criteria, code)
    table.insert(highest, tonumber(top))
  end
  for _ = 1, tid - 1 do
    f:read("*l")
  end
  local mine = split(f:read("*l"))
  f:close()
  case, cookie, csrf = mine[1], mine[2], mine[3]
  base = os.getenv("BENCH_PATH")
  revision = 0
  step = 0
  conflicts = 0
end

function request()
  step = step + 1
  local n = (step - 1) % #criteria + 1
  local round = math.floor((step - 1) / #criteria)
  local scores = {}
  for i = 1, n do
    local level = math.min((i + round) % 3 + 1, highest[i])
    local note = ""
    if i % 4 == 0 or level <= 1 then
      note = ',"note":"Werkt netjes; meting ' .. round .. ' volgens NEN 1010 uitgevoerd."'
    end
    scores[i] = '{"criterion":"' .. criteria[i] .. '","level":' .. level .. note .. '}'
  end
  local body = '{"revision":' .. revision .. ',"attendance":"present","identityChecked":true,'
    .. '"identityMethod":"ID-kaart","scores":[' .. table.concat(scores, ",") .. ']}'
  local headers = {
    ["Cookie"] = "proeve_session=" .. cookie,
    ["X-CSRF-Token"] = csrf,
    ["Content-Type"] = "application/json",
  }
  return wrk.format("PUT", base .. "/cases/" .. case .. "/sheets/mine", headers, body)
end

function response(status, headers, body)
  if status == 200 then
    revision = tonumber(body:match('"revision":(%d+)')) or revision
  elseif status == 409 then
    conflicts = conflicts + 1
  end
end

function done(summary, latency, requests)
  local c = 0
  for _, t in ipairs(threads) do
    c = c + (t:get("conflicts") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"conflicts":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,'
      .. '"errors_status":%d,"errors_other":%d}\n',
    summary.requests, c, summary.duration, latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
