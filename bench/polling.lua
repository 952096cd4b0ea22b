-- bench/polling.lua: a brand's polling loop. Each connection, when its thread
-- has nothing queued, polls GET /v1/brands/B/orders/?is_acknowledged=0&limit=L
-- (the oldest orders it has not acknowledged); every open order found on the
-- page (its id modulo the thread count picks the thread, so threads do not
-- collide) is queued, then acknowledged (PUT .../orders/ID/acknowledge/), then
-- shipped (POST /v1/brands/B/shipments/, 1 unit of its first line).
-- Environment: DL_KEY (the brand's key), DL_BRAND (default 501), DL_LIMIT
-- (page size, default 100), DL_THREADS (wrk -t), DL_DEBUG=1 (print the body
-- of every refused request on stderr).
local key = os.getenv("DL_KEY") or error("DL_KEY is not set")
local brand = os.getenv("DL_BRAND") or "501"
local limit = os.getenv("DL_LIMIT") or "100"
local nthreads = tonumber(os.getenv("DL_THREADS") or "2")
wrk.headers["Authorization"] = "Bearer " .. key
wrk.headers["Content-Type"] = "application/json"

local threads, counter = {}, 0
function setup(thread)
   thread:set("tid", counter)
   counter = counter + 1
   threads[#threads + 1] = thread
end

local poll_path = "/v1/brands/" .. brand .. "/orders/?is_acknowledged=0&limit=" .. limit
local to_ack, to_ship, seen = {}, {}, {}
polls, acks, ships, found = 0, 0, 0, 0

-- An order of the page: id, status, is_acknowledged, first line id, quantity,
-- quantity_shipped, quantity_canceled (field order of src/api/representation.c).
local order_pattern = '{"id":(%d+),"retailer":.-"status":"(%a+)","is_acknowledged":(%a+),' ..
   '.-"order_lines":%[{"id":(%d+),.-"quantity":(%d+),"quantity_shipped":(%d+),' ..
   '"quantity_returned":%d+,"quantity_canceled":(%d+)'

local debug = os.getenv("DL_DEBUG") == "1"
function response(status, headers, body)
   if debug and status >= 400 then io.stderr:write(status .. " " .. body .. "\n") end
   if status ~= 200 or body:sub(1, 9) ~= '{"count":' then return end
   for id, st, ack, line, q, qs, qc in body:gmatch(order_pattern) do
      local n = tonumber(id)
      if n % nthreads == tid and not seen[n] and st == "open" and ack == "false"
         and tonumber(q) - tonumber(qs) - tonumber(qc) >= 1 then
         seen[n] = true
         to_ack[#to_ack + 1] = {id, line}
         found = found + 1
      end
   end
end

request = function()
   local o = table.remove(to_ship)
   if o then
      ships = ships + 1
      local body = '{"order_id":' .. o[1] .. ',"tracking_number":"1ZBENCH' .. o[1] ..
         '","shipping_method":{"code":"GROUND","carrier":{"code":"UPSN"}},' ..
         '"shipment_lines":[{"order_line_id":' .. o[2] .. ',"quantity":1}]}'
      return wrk.format("POST", "/v1/brands/" .. brand .. "/shipments/", nil, body)
   end
   o = table.remove(to_ack, 1)
   if o then
      acks = acks + 1
      to_ship[#to_ship + 1] = o
      return wrk.format("PUT", "/v1/brands/" .. brand .. "/orders/" .. o[1] .. "/acknowledge/")
   end
   polls = polls + 1
   return wrk.format("GET", poll_path)
end

function done(summary, latency, requests)
   local p, a, s, f = 0, 0, 0, 0
   for _, t in ipairs(threads) do
      p = p + t:get("polls"); a = a + t:get("acks")
      s = s + t:get("ships"); f = f + t:get("found")
   end
   io.write(string.format("mix: polls=%d acks=%d ships=%d found=%d\n", p, a, s, f))
end
