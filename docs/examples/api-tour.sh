#!/usr/bin/env bash
# Every HTTP route of the edge (docs/design.md §5) with curl, in the order a client meets them.
# Needs curl 7.84+ and node (for reading ids out of the JSON answers, no jq needed).
# EDGE is a running edge (npm start). docs/http-api.md shows the lines
# below; test/integration/docs-api-tour.int.test.ts runs them against a real edge and
# processor.
set -euo pipefail
EDGE="${EDGE:-http://localhost:8001}"
# With authentication configured (docs/security.md) every /api/v1 call carries a token:
# TOKEN=$API_TOKEN, or a JWT with the scopes orders:read and orders:write.
auth=(); if [ -n "${TOKEN:-}" ]; then auth=(-H "Authorization: Bearer $TOKEN"); fi
step() { printf '\n== %s\n' "$*"; }
# json EXPR: prints EXPR evaluated on the JSON read from stdin as `o`.
json() { node -e "const o = JSON.parse(require('fs').readFileSync(0, 'utf8')); console.log($1)"; }

body='{
  "customerId": "CUST-001",
  "priority": "standard",
  "items": [
    {
      "sku": "SKU-001",
      "productName": "Widget A",
      "quantity": 2,
      "price": { "amount": 29.99, "currency": "USD" }
    }
  ],
  "shippingAddress": {
    "street": "123 Main St",
    "city": "New York",
    "state": "NY",
    "zipCode": "10001",
    "country": "US"
  }
}'
key=$(node -p 'crypto.randomUUID()')

step 'POST /api/v1/orders: 201 with the order once applied (Prefer: wait=5), else 202 {orderId, commandId}'
order=$(curl "${auth[@]}" -fsS -X POST "$EDGE/api/v1/orders" -H 'Content-Type: application/json' -H 'Prefer: wait=5' \
  -H "Idempotency-Key: $key" -H 'X-Correlation-ID: api-tour-1' -d "$body")
echo "$order"
id=$(echo "$order" | json o.orderId)
command=$(echo "$order" | json 'o.commandId ?? o.timeline[0].commandId')  # 202 or 201

step 'The same POST again with the same Idempotency-Key: the same order, not a second one'
curl "${auth[@]}" -fsS -X POST "$EDGE/api/v1/orders" -H 'Content-Type: application/json' -H 'Prefer: wait=5' \
  -H "Idempotency-Key: $key" -d "$body" | json o.orderId

step "GET /api/v1/orders/$id"
curl "${auth[@]}" -fsS "$EDGE/api/v1/orders/$id"; echo

step 'GET /api/v1/orders?status=received&limit=10 (keyset pages: pass nextCursor as cursor)'
curl "${auth[@]}" -fsS "$EDGE/api/v1/orders?status=received&limit=10" | json 'o.items.map((x) => `${x.orderId} ${x.status}`).join("\n")'

step 'GET with If-None-Match: 304 while the order is unchanged'
etag=$(curl "${auth[@]}" -fsS -o /dev/null -w '%header{etag}' "$EDGE/api/v1/orders/$id")
curl "${auth[@]}" -sS -o /dev/null -w "HTTP %{http_code} for ETag $etag\n" -H "If-None-Match: $etag" "$EDGE/api/v1/orders/$id"

step "GET /api/v1/commands/$command: pending, applied or rejected"
curl "${auth[@]}" -fsS "$EDGE/api/v1/commands/$command"; echo

step 'PATCH /api/v1/orders/{id}: modify (shippingAddress, priority, items, promisedDeliveryAt)'
curl "${auth[@]}" -fsS -X PATCH "$EDGE/api/v1/orders/$id" -H 'Content-Type: application/json' -H 'Prefer: wait=5' \
  -d '{"priority": "next_day"}' | json '`${o.orderId} ${o.status} ${o.priority} v${o.version}`'

step 'PUT validate, assign-wave, start-picking, mark-packed, ship, complete'
curl "${auth[@]}" -fsS -X PUT "$EDGE/api/v1/orders/$id/validate" -H 'Prefer: wait=5' | json '`${o.status} v${o.version}`'
curl "${auth[@]}" -fsS -X PUT "$EDGE/api/v1/orders/$id/assign-wave" -H 'Content-Type: application/json' -H 'Prefer: wait=5' \
  -d '{"waveId": "WAVE-42"}' | json '`${o.status} v${o.version} ${o.waveId}`'
curl "${auth[@]}" -fsS -X PUT "$EDGE/api/v1/orders/$id/start-picking" -H 'Prefer: wait=5' | json '`${o.status} v${o.version}`'
curl "${auth[@]}" -fsS -X PUT "$EDGE/api/v1/orders/$id/mark-packed" -H 'Prefer: wait=5' | json '`${o.status} v${o.version}`'
curl "${auth[@]}" -fsS -X PUT "$EDGE/api/v1/orders/$id/ship" -H 'Content-Type: application/json' -H 'Prefer: wait=5' \
  -d '{"trackingNumber": "1Z999AA10123456784", "carrier": "UPS"}' | json '`${o.status} v${o.version} ${o.carrier} ${o.trackingNumber}`'
curl "${auth[@]}" -fsS -X PUT "$EDGE/api/v1/orders/$id/complete" -H 'Content-Type: application/json' -H 'Prefer: wait=5' \
  -d "{\"deliveredAt\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}" | json '`${o.orderId} ${o.status} v${o.version}`'

step "GET /api/v1/orders/$id/history: version, status, the command, request and caller behind it"
curl "${auth[@]}" -fsS "$EDGE/api/v1/orders/$id/history" | json 'o.entries.map((e) => `${e.version} ${e.status} ${e.commandId} ${e.correlationId} ${e.issuedBy ?? "-"}`).join("\n")'

step 'A second order, cancelled: PUT /api/v1/orders/{id}/cancel'
other=$(curl "${auth[@]}" -fsS -X POST "$EDGE/api/v1/orders" -H 'Content-Type: application/json' -H 'Prefer: wait=5' -d "$body" | json o.orderId)
curl "${auth[@]}" -fsS -X PUT "$EDGE/api/v1/orders/$other/cancel" -H 'Content-Type: application/json' -H 'Prefer: wait=5' \
  -d '{"reason": "Customer request"}' | json '`${o.orderId} ${o.status} ${o.cancellationReason}`'

step 'A bad request: 400 application/problem+json, one entry per invalid field'
curl "${auth[@]}" -sS -i -X POST "$EDGE/api/v1/orders" -H 'Content-Type: application/json' \
  -d '{"customerId": "CUST-001", "priority": "express", "items": []}'; echo

step 'Operations: /health, /ready, /metrics (first lines), /docs/json (OpenAPI; UI at /docs)'
curl -fsS "$EDGE/health"; echo
curl -fsS "$EDGE/ready"; echo
curl -fsS "$EDGE/metrics" | sed -n 1,4p
curl -fsS "$EDGE/docs/json" | json '`OpenAPI ${o.openapi}: ${Object.keys(o.paths).join(" ")}`'
