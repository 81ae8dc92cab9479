// Lifecycle actions on one order: PUT /api/v1/orders/{orderId}/<action>, one command each.
import type { FastifyInstance } from 'fastify';
import { HTTP_BODY_JSON_SCHEMAS, type CommandType } from '../../schemas/index.js';
import { acceptedResponse, commandHeaders, orderIdParams, problemResponse } from '../route-schemas.js';
import { submitCommand, type EdgeContext } from '../submission.js';

export const ORDER_ACTIONS: readonly { path: string; type: CommandType; summary: string }[] = [
  { path: 'validate', type: 'ValidateOrder', summary: 'Validate a received order' },
  { path: 'cancel', type: 'CancelOrder', summary: 'Cancel an order before it ships {reason}' },
  { path: 'assign-wave', type: 'AssignWave', summary: 'Assign a validated order to a wave {waveId}' },
  { path: 'start-picking', type: 'StartPicking', summary: 'Start picking' },
  { path: 'mark-packed', type: 'MarkPacked', summary: 'Mark the order packed' },
  { path: 'ship', type: 'MarkShipped', summary: 'Ship the order {trackingNumber, carrier}' },
  { path: 'complete', type: 'CompleteOrder', summary: 'Confirm delivery {deliveredAt}' },
];

export function orderActionRoutes(app: FastifyInstance, ctx: EdgeContext): void {
  for (const action of ORDER_ACTIONS) {
    app.put<{ Params: { orderId: string } }>(
      `/api/v1/orders/:orderId/${action.path}`,
      {
        schema: {
          summary: `${action.summary} (${action.type} command)`,
          tags: ['order lifecycle'],
          params: orderIdParams,
          headers: commandHeaders,
          body: HTTP_BODY_JSON_SCHEMAS[action.type],
          response: { 202: acceptedResponse, '4xx': problemResponse, '5xx': problemResponse },
        },
      },
      (request, reply) => submitCommand(ctx, request, reply, action.type, request.params.orderId),
    );
  }
}
