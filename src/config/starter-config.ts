/**
 * The `config.yaml` written on first start, so `npm start` works on a fresh
 * machine: a local Ollama and OpenRouter (free models list without a key; chat
 * needs OPENROUTER_API_KEY). Comments show the other provider types.
 */
export const starterConfig = `# tta-models configuration. Reference: README.md#configuration
# \${VAR} and \${VAR:-default} read environment variables, so keys stay out of this file.
server:
  host: 127.0.0.1   # binding another address requires auth.apiKeys below
  port: 8787

# auth:
#   apiKeys: ["\${TTA_MODELS_CLIENT_KEY}"]   # bearer tokens TTA services send to /v1

# limits:           # every user's chat limits (tta-models users limits sets one user's own)
#   users: { requestsPerMinute: 60, requestsPerDay: 2000, tokensPerDay: 500000, costPerDayUsd: 2 }

providers:
  # Models are addressed as <id>/<model>, e.g. ollama/llama3.2
  - id: ollama
    type: ollama
    baseUrl: \${OLLAMA_BASE_URL:-http://127.0.0.1:11434}

  # e.g. openrouter/meta-llama/llama-3.3-70b-instruct:free
  - id: openrouter
    type: openrouter
    apiKey: \${OPENROUTER_API_KEY:-}

  # Any OpenAI-compatible server: llama.cpp server, LM Studio, vLLM, OpenAI itself.
  # - id: lmstudio
  #   type: openai-compatible
  #   baseUrl: http://127.0.0.1:1234/v1
  #
  # - id: anthropic
  #   type: anthropic
  #   apiKey: \${ANTHROPIC_API_KEY}
`;
