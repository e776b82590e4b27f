import { useEffect, useRef } from 'react';
import { useSession } from '../api/session.js';
import type { ModelDetail } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { FreeBadge } from '../components/free-badge.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { perMillion, tokens } from '../format.js';

/** One model in detail; a free one comes with its limits and the alternatives to it. */
export function ModelDetailPanel(props: {
  name: string;
  onChoose(name: string): void;
  onClose(): void;
}) {
  const { api } = useSession();
  const heading = useRef<HTMLHeadingElement>(null);
  const detail = useLoad(
    (signal) =>
      api.get<ModelDetail>(
        `/api/catalog/models/${props.name.split('/').map(encodeURIComponent).join('/')}`,
        signal,
      ),
    props.name,
  );
  useEffect(() => {
    if (detail.data) heading.current?.focus();
  }, [detail.data]);

  const model = detail.data?.model;
  const notice = detail.data?.notice;
  return (
    <aside className="panel card" aria-labelledby="detail-title" data-testid="model-detail">
      <div className="panel-head">
        <h2 id="detail-title" ref={heading} tabIndex={-1}>
          {model?.displayName ?? props.name}
        </h2>
        <button type="button" onClick={props.onClose} aria-label="Close the model details">
          ✕
        </button>
      </div>
      <ErrorNotice error={detail.error} what="read this model" />
      {model && (
        <>
          <p>
            Send <code data-testid="model-name">model: "{model.name}"</code>
          </p>
          {notice && (
            <Notice tone="warn" title="This is a free model" testId="free-warning">
              <p>{notice.caution}</p>
              {notice.limits?.note && <p className="help">{notice.limits.note}</p>}
              {notice.alternatives.length > 0 && (
                <>
                  <p>Alternatives:</p>
                  <ul className="plain">
                    {notice.alternatives.map((alternative) => (
                      <li key={alternative.name}>
                        <button
                          type="button"
                          className="link-button"
                          onClick={() => props.onChoose(alternative.name)}
                        >
                          {alternative.name}
                        </button>{' '}
                        — {alternative.reason}
                        {alternative.pricing && !alternative.local && (
                          <>
                            {' '}
                            ({perMillion(alternative.pricing.prompt)} /{' '}
                            {perMillion(alternative.pricing.completion)} per M)
                          </>
                        )}
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </Notice>
          )}
          {model.description && <p>{model.description}</p>}
          <dl className="facts">
            <dt>Price</dt>
            <dd>
              {model.isFree ? (
                <FreeBadge limits={notice?.limits?.summary} />
              ) : (
                `${perMillion(model.pricing?.prompt)} in, ${perMillion(model.pricing?.completion)} out per M tokens`
              )}
            </dd>
            <dt>Context</dt>
            <dd>{tokens(model.contextLength)} tokens</dd>
            {model.maxOutputTokens && (
              <>
                <dt>Longest answer</dt>
                <dd>{tokens(model.maxOutputTokens)} tokens</dd>
              </>
            )}
            <dt>Reads / writes</dt>
            <dd>
              {(model.inputModalities ?? ['text']).join(', ')} /{' '}
              {(model.outputModalities ?? ['text']).join(', ')}
            </dd>
            <dt>Provider</dt>
            <dd>
              {model.providerId} ({model.providerType}){model.local ? ', runs on this machine' : ''}
            </dd>
            {model.quantization && (
              <>
                <dt>Quantisation</dt>
                <dd>{model.quantization}</dd>
              </>
            )}
            {model.expiresAt && (
              <>
                <dt>Retires</dt>
                <dd>{String(model.expiresAt)}</dd>
              </>
            )}
            {model.supportedParameters && (
              <>
                <dt>Supports</dt>
                <dd>{model.supportedParameters.join(', ')}</dd>
              </>
            )}
          </dl>
        </>
      )}
    </aside>
  );
}
