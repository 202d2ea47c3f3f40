// Placeholder: replaced by the real Middy handler in the same commit series.
export const handler = async () => ({ statusCode: 501, body: '' });
