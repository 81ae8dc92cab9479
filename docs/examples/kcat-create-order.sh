#!/bin/sh
# Produces one CreateOrder command straight to Kafka as JSON, the way another service
# may (docs/design.md §3). The record key is the orderId; murmur2 is the partitioner of the edge
# and of Java clients, so this order's commands share a partition whoever writes them.
# The processor tells JSON from Avro by the first byte; the headers mirror the edge's.
# Its fate arrives on wms.orders.command-outcomes and at GET /api/v1/commands/$COMMAND_ID.
# Tested by test/integration/docs-kcat.int.test.ts; docs/kafka-commands.md shows the lines below.
set -eu
KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
TOPIC_COMMANDS="${TOPIC_COMMANDS:-wms.orders.commands}"
ORDER_ID="${ORDER_ID:-ORD-KCAT-0001}"
COMMAND_ID="${COMMAND_ID:-5f0c7a1e-8a0b-4d39-9a43-1f0d3f1e2b7c}"
kcat -P -b "$KAFKA_BROKERS" -t "$TOPIC_COMMANDS" -X partitioner=murmur2_random -K '|' \
  -H content-type=application/json -H command-type=CreateOrder -H correlation-id="$COMMAND_ID" <<JSON
$ORDER_ID|{"commandId":"$COMMAND_ID","type":"CreateOrder","orderId":"$ORDER_ID","issuedAt":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","correlationId":"$COMMAND_ID","source":"kcat-example","payload":{"customerId":"CUST-001","priority":"standard","items":[{"sku":"SKU-001","productName":"Widget A","quantity":2,"price":{"amount":"29.99","currency":"USD"}}],"shippingAddress":{"street":"123 Main St","city":"New York","state":"NY","zipCode":"10001","country":"US"}}}
JSON
