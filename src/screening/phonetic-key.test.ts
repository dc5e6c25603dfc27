import { describe, expect, it } from 'vitest';
import { phoneticKey } from './phonetic-key.ts';

describe('phoneticKey', () => {
  it('gives romanisations of one name one key', () => {
    expect(new Set(['MOHAMMED', 'MUHAMMAD', 'MOHAMED', 'MOHAMAD'].map(phoneticKey))).toEqual(new Set(['MMT']));
    expect(phoneticKey('DIXON')).toBe(phoneticKey('DICKSON'));
    expect(phoneticKey('HASSAN')).toBe(phoneticKey('HASAN'));
    expect(phoneticKey('CATHERINE')).toBe(phoneticKey('KATHERINE'));
    expect(phoneticKey('PHILIP')).toBe(phoneticKey('FILIP'));
    expect(phoneticKey('QADHAFI')).toBe(phoneticKey('GADDAFI'));
  });
  it('keeps different names apart and anchors on the first sound', () => {
    expect(phoneticKey('SMITH')).not.toBe(phoneticKey('JONES'));
    expect(phoneticKey('SEPAH')).not.toBe(phoneticKey('SADERAT'));
    expect(phoneticKey('ALI')[0]).toBe('A');
    expect(phoneticKey('OMAR')[0]).toBe('A');
  });
  it('keeps digits and handles empty input', () => {
    expect(phoneticKey('1234')).toBe('1234');
    expect(phoneticKey('')).toBe('');
  });
});
