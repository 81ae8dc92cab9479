// Lifecycle actions on one order: PUT /api/v1/orders/{orderId}/<action>, one command each.
import type { FastifyInstance } from 'fastify';
import type { CommandType } from '../../schemas/index.js';
import { useProblemSchema, type Link } from '../openapi.js';
import { commandHeaders, commandResponses, httpBodySchema, orderIdParams } from '../route-schemas.js';
import { submitCommand, type EdgeContext } from '../submission.js';

/** operationId of an action in the OpenAPI document: the command type, lower camel case (`validateOrder`). */
export const actionOperationId = (type: CommandType): string => `${type[0]!.toLowerCase()}${type.slice(1)}`;

export const ORDER_ACTIONS: readonly { path: string; type: CommandType; summary: string }[] = [
  { path: 'validate', type: 'ValidateOrder', summary: 'Validate a received order' },
  { path: 'cancel', type: 'CancelOrder', summary: 'Cancel an order before it ships {reason}' },
  { path: 'assign-wave', type: 'AssignWave', summary: 'Assign a validated order to a wave {waveId}' },
  { path: 'start-picking', type: 'StartPicking', summary: 'Start picking' },
  { path: 'mark-packed', type: 'MarkPacked', summary: 'Mark the order packed' },
  { path: 'ship', type: 'MarkShipped', summary: 'Ship the order {trackingNumber, carrier}' },
  { path: 'complete', type: 'CompleteOrder', summary: 'Confirm delivery {deliveredAt}' },
];

const byOrderId = { orderId: '$response.body#/orderId' };
/** From an answer that names an order to everything a client can do with it. */
export const ORDER_LINKS: Record<string, Link> = {
  getOrder: { operationId: 'getOrder', parameters: byOrderId, description: 'read the order' },
  getOrderHistory: { operationId: 'getOrderHistory', parameters: byOrderId, description: "the order's status changes" },
  modifyOrder: { operationId: 'modifyOrder', parameters: byOrderId, description: 'modify the order' },
  ...Object.fromEntries(ORDER_ACTIONS.map((a) => [actionOperationId(a.type), { operationId: actionOperationId(a.type), parameters: byOrderId, description: a.summary }])),
};
/** From a 202 to the command's status. */
export const COMMAND_LINKS: Record<string, Link> = {
  getCommand: { operationId: 'getCommand', parameters: { commandId: '$response.body#/commandId' }, description: 'what became of the command' },
};

export function orderActionRoutes(app: FastifyInstance, ctx: EdgeContext): void {
  useProblemSchema(app);
  for (const action of ORDER_ACTIONS) {
    app.put<{ Params: { orderId: string } }>(
      `/api/v1/orders/:orderId/${action.path}`,
      {
        links: { 200: { getOrder: ORDER_LINKS.getOrder! }, 202: { getOrder: ORDER_LINKS.getOrder!, ...COMMAND_LINKS } },
        schema: {
          operationId: actionOperationId(action.type),
          summary: `${action.summary} (${action.type} command)`,
          tags: ['order lifecycle'],
          params: orderIdParams,
          headers: commandHeaders,
          body: httpBodySchema(action.type),
          response: commandResponses(action.type),
        },
      },
      (request, reply) => submitCommand(ctx, request, reply, action.type, request.params.orderId),
    );
  }
}
