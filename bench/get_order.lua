-- bench/get_order.lua: GET one order of retailer 500, by a random id.
-- Environment: DL_KEY (retailer 500's API key), DL_MIN_ID and DL_MAX_ID (the
-- ids to ask for, default 1 to 1000000), DL_RETAILER (default 500).
local key = os.getenv("DL_KEY") or error("DL_KEY is not set")
local min_id = tonumber(os.getenv("DL_MIN_ID") or "1")
local max_id = tonumber(os.getenv("DL_MAX_ID") or "1000000")
local retailer = os.getenv("DL_RETAILER") or "500"
wrk.headers["Authorization"] = "Bearer " .. key

local counter = 0
function setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
end

function init(args)
   math.randomseed(os.time() * 100 + (tid or 0))
end

request = function()
   return wrk.format("GET", "/v1/retailers/" .. retailer .. "/orders/" ..
                     math.random(min_id, max_id) .. "/")
end
