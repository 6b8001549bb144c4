/** The JSON Schema of a new order, shared by the API and the form on the Orders tab. */
import { ORDER_STATUSES } from '../api.js';

export const newOrderSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['product', 'amount', 'currency'],
  properties: {
    product: { type: 'string', minLength: 1, maxLength: 190, pattern: '\\S' },
    amount: { type: 'number', minimum: 0, maximum: 1e11 },
    currency: { type: 'string', pattern: '^[A-Za-z]{3}$' },
    ordered_at: { type: 'string', format: 'date' },
    status: { enum: [...ORDER_STATUSES] },
    number: { type: 'string', maxLength: 40 },
  },
};

/** The form also posts `_csrf`, and empty optional fields as "". */
export const orderFormSchema = {
  ...newOrderSchema,
  properties: { ...newOrderSchema.properties, _csrf: { type: 'string' } },
};
