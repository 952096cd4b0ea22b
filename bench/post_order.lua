-- bench/post_order.lua: POST /v1/retailers/500/orders/ with a new purchase
-- order number every time ("B<run>-<thread>-<counter>", unique per run).
-- Lines name 3 distinct variants of one brand of the bench catalog
-- (bench/load.c: brand 501 variants 3000001-3000240 "MC-1nnnn", brand 502
-- variants 4000001-4000240 "DB-1nnnn"), one by id, one by identifier, one by
-- UPC, 70% brand 501 and 30% brand 502.
-- Environment: DL_KEY (retailer 500's key), DL_RUN (run tag, default the time).
local key = os.getenv("DL_KEY") or error("DL_KEY is not set")
local run = os.getenv("DL_RUN") or tostring(os.time() % 100000)
wrk.headers["Authorization"] = "Bearer " .. key
wrk.headers["Content-Type"] = "application/json"

local counter = 0
function setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
end

local n = 0
function init(args)
   math.randomseed(os.time() * 100 + (tid or 0))
end

local names = {"Tammy Watkins", "James Okonkwo", "Maria Garcia", "Wei Chen",
               "Priya Patel", "Carlos Silva", "Grace Kim", "Omar Haddad"}
local places = {{"Hermosa Beach", "CA", "90254"}, {"Portland", "OR", "97205"},
                {"Chicago", "IL", "60614"}, {"Brooklyn", "NY", "11215"},
                {"Austin", "TX", "78704"}, {"Denver", "CO", "80206"}}
local methods = {{"GROUND", "UPSN"}, {"NEXT_DAY_AIR", "UPSN"}, {"FEDEX_GROUND", "FDEG"}}

local function three_distinct(hi)
   local a = math.random(0, hi)
   local b repeat b = math.random(0, hi) until b ~= a
   local c repeat c = math.random(0, hi) until c ~= a and c ~= b
   return a, b, c
end

local function line(by, i, brand, qty)
   local ref
   if by == "id" then
      ref = '{"id":' .. ((brand == 501 and 3000001 or 4000001) + i) .. '}'
   elseif by == "identifier" then
      ref = string.format('{"identifier":"%s-%05d"}', brand == 501 and "MC" or "DB", 10000 + i)
   else
      ref = string.format('{"upc":"%d%011d"}', brand == 501 and 6 or 7, 20000000 + i * 37)
   end
   local net = math.random(15, 900)
   return string.format('{"variant":%s,"quantity":%d,"net_price":"%d.00","price":"%d.99"}',
                        ref, qty, net, net + math.floor(net * 0.7))
end

request = function()
   n = n + 1
   local brand = math.random(1, 10) <= 7 and 501 or 502
   local a, b, c = three_distinct(239)
   local place = places[math.random(#places)]
   local m = methods[math.random(#methods)]
   local body = string.format(
      '{"purchase_order_number":"B%s-%d-%d","customer_order_number":"W-%d",' ..
      '"ordered_at":"%s",' ..
      '"ship_to":{"type":"residential","name1":"%s","street1":"%d Main St",' ..
      '"street2":"Apt %d","city":"%s","province":"%s","postal_code":"%s",' ..
      '"country":"US","phone1":"(310) 867-5309","email":"buyer%d@example.com"},' ..
      '"shipping_method":{"code":"%s","carrier":{"code":"%s"}},' ..
      '"order_lines":[%s,%s,%s]}',
      run, tid or 0, n, 7000000 + n,
      os.date("!%Y-%m-%dT%H:%M:%SZ"),
      names[math.random(#names)], math.random(1, 9999), math.random(1, 40),
      place[1], place[2], place[3], n % 1000, m[1], m[2],
      line("id", a, brand, 1), line("identifier", b, brand, math.random(1, 3)),
      line("upc", c, brand, 1))
   return wrk.format("POST", "/v1/retailers/500/orders/", nil, body)
end
