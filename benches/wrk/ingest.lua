-- Ingest load for wrk: a SIS pushing enrolments at term start. Each enrolment is two PUTs,
-- its person and its toetsinschrijving (in that order per thread; the connections of a
-- thread run side by side, so an enrolment may arrive before its person, as OKE allows).
-- Ids are unique per run (BENCH_RUN), thread and request. A thread stops after
-- BENCH_PER_THREAD requests. Environment: BENCH_TOKEN, BENCH_OFFERING, BENCH_RUN,
-- BENCH_PER_THREAD, BENCH_PATH (the tenant's OKE base path, e.g. /ooapi/demo).

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("BENCH_TOKEN")
  offering = os.getenv("BENCH_OFFERING")
  run = tonumber(os.getenv("BENCH_RUN"), 16)
  limit = tonumber(os.getenv("BENCH_PER_THREAD"))
  base = os.getenv("BENCH_PATH")
  sent = 0
  answered = 0
  created = 0
end

local function id(kind, n)
  return string.format("%08x-%04x-4%03x-8%03x-%012x", run, tid, kind, 0, n)
end

function request()
  sent = sent + 1
  local n = math.floor((sent + 1) / 2)
  local person = id(1, n)
  local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  if sent % 2 == 1 then
    local body = '{"personId":"' .. person .. '","primaryCode":{"codeType":"studentNumber","code":"' .. tid .. '-' .. n .. '"},'
      .. '"givenName":"Zoë","surname":"Dijkstra","displayName":"Dijkstra, Zoë","activeEnrollment":true,'
      .. '"affiliations":["student"],"mail":"s' .. tid .. '-' .. n .. '@student.example",'
      .. '"consumers":[{"consumerKey":"nl-test-admin","preferredName":"Zoë","idCheckName":"Dijkstra, Zoë"}]}'
    return wrk.format("PUT", base .. "/persons/" .. person, headers, body)
  end
  local association = id(2, n)
  local body = '{"associationId":"' .. association .. '","associationType":"componentOfferingAssociation",'
    .. '"role":"student","state":"associated","person":"' .. person .. '","offering":"' .. offering .. '",'
    .. '"consumers":[{"consumerKey":"nl-test-admin","attempt":1,"attemptLeft":2}]}'
  return wrk.format("PUT", base .. "/associations/" .. association, headers, body)
end

function response(status, headers, body)
  answered = answered + 1
  if status == 201 then
    created = created + 1
  end
  if answered >= limit then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local made = 0
  for _, t in ipairs(threads) do
    made = made + (t:get("created") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"created":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,'
      .. '"errors_status":%d,"errors_other":%d}\n',
    summary.requests, made, summary.duration, latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
