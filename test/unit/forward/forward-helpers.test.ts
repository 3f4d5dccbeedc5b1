import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { fromAzurePath } from '../../../lib/server/forward/azure-paths.js';
import { hostMatches, normalizeHost, parseAuthority } from '../../../lib/server/forward/host-pattern.js';
import { isLoopbackAddress, isPrivateAddress } from '../../../lib/server/forward/private-address.js';
import { proxyAuthorized } from '../../../lib/server/forward/proxy-auth.js';
import { isAbsoluteForm } from '../../../lib/server/forward/absolute-form.js';
import { readClientCredential } from '../../../lib/server/client-credential.js';

describe('host patterns', () => {
  it('matches exact hosts and *. subdomains, never the bare domain or a lookalike', () => {
    expect(hostMatches('api.openai.com', 'api.openai.com')).toBe(true);
    expect(hostMatches('api.openai.com', 'xapi.openai.com')).toBe(false);
    expect(hostMatches('*.openai.azure.com', 'my-resource.openai.azure.com')).toBe(true);
    expect(hostMatches('*.openai.azure.com', 'a.b.openai.azure.com')).toBe(true);
    expect(hostMatches('*.openai.azure.com', 'openai.azure.com')).toBe(false);
    expect(hostMatches('*.openai.azure.com', 'evilopenai.azure.com')).toBe(false);
    expect(hostMatches('*.openai.azure.com', 'openai.azure.com.evil.com')).toBe(false);
  });

  it('parses CONNECT authorities', () => {
    expect(parseAuthority('API.OpenAI.com.:443')).toEqual({ host: 'api.openai.com', port: 443 });
    expect(parseAuthority('[::1]:8443')).toEqual({ host: '::1', port: 8443 });
    expect(parseAuthority('10.0.0.1:80')).toEqual({ host: '10.0.0.1', port: 80 });
    for (const bad of ['api.openai.com', 'api.openai.com:0', 'api.openai.com:70000', ':443', 'user@host:443', 'a b:443', '::1:443', 'host:443/x']) {
      expect(parseAuthority(bad), bad).toBeUndefined();
    }
    expect(normalizeHost('[FE80::1]')).toBe('fe80::1');
  });
});

describe('private addresses', () => {
  it('refuses loopback, private, link-local, unspecified and mapped forms of them', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '224.0.0.1', '255.255.255.255', '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::a00:1', 'not-an-ip']) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
  });

  it('lets public addresses through', () => {
    for (const address of ['1.1.1.1', '8.8.8.8', '172.32.0.1', '172.15.255.255', '2606:4700:4700::1111', '::ffff:1.1.1.1']) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });

  it('knows loopback clients', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('10.0.0.2')).toBe(false);
    expect(isLoopbackAddress(undefined)).toBe(false);
  });
});

describe('proxy authentication', () => {
  const basic = (text: string): string => `Basic ${Buffer.from(text).toString('base64')}`;
  const credentials = [{ username: 'app', password: 'p:ss' }];

  it('accepts anything when no credentials are configured', () => {
    expect(proxyAuthorized([], undefined)).toBe(true);
  });

  it('requires one of the configured pairs (passwords may contain colons)', () => {
    expect(proxyAuthorized(credentials, basic('app:p:ss'))).toBe(true);
    expect(proxyAuthorized(credentials, `basic   ${Buffer.from('app:p:ss').toString('base64')}`)).toBe(true);
    expect(proxyAuthorized(credentials, basic('app:p'))).toBe(false);
    expect(proxyAuthorized(credentials, basic('APP:p:ss'))).toBe(false);
    expect(proxyAuthorized(credentials, undefined)).toBe(false);
    expect(proxyAuthorized(credentials, 'Bearer app:p:ss')).toBe(false);
    expect(proxyAuthorized(credentials, 'Basic !!!')).toBe(false);
  });
});

describe('request targets', () => {
  it('rewrites Azure OpenAI paths to the OpenAI ones and drops api-version', () => {
    expect(fromAzurePath('/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21')).toBe('/v1/chat/completions');
    expect(fromAzurePath('/openai/deployments/emb/embeddings?api-version=x&foo=1')).toBe('/v1/embeddings?foo=1');
    expect(fromAzurePath('/openai/v1/chat/completions')).toBe('/v1/chat/completions');
    expect(fromAzurePath('/v1/chat/completions')).toBe('/v1/chat/completions');
    expect(fromAzurePath('/openai/deployments/x/chat/completionsX')).toBe('/openai/deployments/x/chat/completionsX');
  });

  it('tells absolute-form targets from origin-form ones', () => {
    expect(isAbsoluteForm('http://api.openai.com/v1/chat/completions')).toBe(true);
    expect(isAbsoluteForm('HTTPS://api.openai.com/')).toBe(true);
    expect(isAbsoluteForm('/v1/chat/completions')).toBe(false);
    expect(isAbsoluteForm(undefined)).toBe(false);
  });
});

describe('client credentials', () => {
  const req = (headers: Record<string, string>, url = '/v1/chat/completions'): IncomingMessage => ({ headers, url }) as unknown as IncomingMessage;

  it('reads the key from whichever header the client format uses', () => {
    expect(readClientCredential(req({ authorization: 'Bearer sk-a' }))).toBe('sk-a');
    expect(readClientCredential(req({ 'x-api-key': 'sk-ant' }))).toBe('sk-ant');
    expect(readClientCredential(req({ 'api-key': 'azure' }))).toBe('azure');
    expect(readClientCredential(req({ 'x-goog-api-key': 'goog' }))).toBe('goog');
    expect(readClientCredential(req({}, '/v1beta/models/m:generateContent?key=qk'))).toBe('qk');
    expect(readClientCredential(req({ authorization: 'Basic abc' }))).toBeUndefined();
    expect(readClientCredential(req({}))).toBeUndefined();
  });
});
