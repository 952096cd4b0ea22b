-- bench/post_cancel.lua: POST /v1/retailers/500/cancels/, cancelling 1 unit of
-- the first line of a distinct open, unacknowledged order each time.
-- Environment: DL_KEY (retailer 500's key), DL_CANCEL_FILE (lines "order_id
-- line_id", from `load pick-cancel DB N`), DL_THREADS (wrk -t, to split the
-- file between threads so no two requests name the same order).
local key = os.getenv("DL_KEY") or error("DL_KEY is not set")
local file = os.getenv("DL_CANCEL_FILE") or error("DL_CANCEL_FILE is not set")
local nthreads = tonumber(os.getenv("DL_THREADS") or "2")
wrk.headers["Authorization"] = "Bearer " .. key
wrk.headers["Content-Type"] = "application/json"

local counter = 0
function setup(thread)
   thread:set("tid", counter)
   counter = counter + 1
end

local targets, next_i = {}, 1
function init(args)
   local f = assert(io.open(file, "r"))
   local i = 0
   for l in f:lines() do
      local o, line_id = l:match("^(%d+) (%d+)$")
      if o then
         if i % nthreads == (tid or 0) then targets[#targets + 1] = {o, line_id} end
         i = i + 1
      end
   end
   f:close()
   if #targets == 0 then error("no orders to cancel in " .. file) end
end

request = function()
   local t = targets[next_i]
   next_i = next_i % #targets + 1 -- wraps around (then 409s) if the file runs out
   local body = '{"order_id":' .. t[1] .. ',"reason_id":1,"cancel_lines":' ..
      '[{"order_line_id":' .. t[2] .. ',"quantity":1}]}'
   return wrk.format("POST", "/v1/retailers/500/cancels/", nil, body)
end
