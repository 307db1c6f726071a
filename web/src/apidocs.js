// The API reference page (/api/docs, docs/ui.md): Swagger UI renders the
// server's OpenAPI document. A page of its own (a Vite entry beside
// index.html), so the explorer never loads this code. The validator badge
// is off (it would call validator.swagger.io); "Try it out" sends the key
// this tab holds (the UI's sessionStorage), in the Authorization header.
import SwaggerUIBundle from 'swagger-ui-dist/swagger-ui-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';

SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#swagger',
  validatorUrl: null,
  deepLinking: true,
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
  tryItOutEnabled: false,
  requestInterceptor: (req) => {
    const key = sessionStorage.getItem('rg.apiKey');
    if (key && !req.headers.Authorization) req.headers.Authorization = 'Bearer ' + key;
    return req;
  },
});
