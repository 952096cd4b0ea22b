-- bench/list.lua: GET one page of a list, again and again.
-- Environment:
--   DL_KEY        the API key (retailer's or brand's, matching DL_PATH)
--   DL_PATH       the list's path, default /v1/retailers/500/orders/
--   DL_QUERY      other query parameters, e.g. "status=open&is_acknowledged=0"
--   DL_CURSOR_ID  when set, start after this order id: the cursor is built as
--                 the server builds it (src/api/list.c list_cursor_encode):
--                 base64url without padding of "a<id>"
local key = os.getenv("DL_KEY") or error("DL_KEY is not set")
local path = os.getenv("DL_PATH") or "/v1/retailers/500/orders/"
local query = os.getenv("DL_QUERY") or ""
local cursor_id = os.getenv("DL_CURSOR_ID")
wrk.headers["Authorization"] = "Bearer " .. key

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

-- RFC 4648 base64url, no padding.
function base64url(s)
   local out, bits, nbits = {}, 0, 0
   for i = 1, #s do
      bits = bits * 256 + s:byte(i)
      nbits = nbits + 8
      while nbits >= 6 do
         nbits = nbits - 6
         local v = math.floor(bits / 2 ^ nbits) % 64
         out[#out + 1] = alphabet:sub(v + 1, v + 1)
      end
      bits = bits % (2 ^ nbits)
   end
   if nbits > 0 then
      local v = (bits * 2 ^ (6 - nbits)) % 64
      out[#out + 1] = alphabet:sub(v + 1, v + 1)
   end
   return table.concat(out)
end

local params = {}
if query ~= "" then params[#params + 1] = query end
if cursor_id and cursor_id ~= "" then
   params[#params + 1] = "cursor=" .. base64url("a" .. cursor_id)
end
local target = path
if #params > 0 then target = target .. "?" .. table.concat(params, "&") end

request = function()
   return wrk.format("GET", target)
end
