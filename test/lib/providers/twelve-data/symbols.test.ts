import { describe, expect, it } from 'vitest';
import { fromTwelveDataSymbol, toTwelveDataSymbol } from '../../../../lib/providers/twelve-data/symbols.js';

describe('Twelve Data symbols', () => {
  it.each([
    ['AAPL', 'AAPL'],
    ['BRK.B', 'BRK.B'],
    ['BRK-B', 'BRK.B'],
    ['BF.A', 'BF.A'],
    ['MKC-V', 'MKC.V'],
    ['VOD.L', 'VOD:LSE'],
    ['SHOP.TO', 'SHOP:TSX'],
    ['RCI.B.TO', 'RCI.B:TSX'],
    ['IWDA.AS', 'IWDA:Euronext'],
    ['7203.T', '7203:JPX'],
    ['SAP.DE', 'SAP:XETR'],
    ['603020.SS', '603020.SS'],
    ['^GSPC', '^GSPC'],
  ])('maps %s to Twelve Data’s %s', (client, twelveData) => {
    expect(toTwelveDataSymbol(client)).toBe(twelveData);
  });

  it('names listings from answers in the clients’ form by their MIC', () => {
    expect(fromTwelveDataSymbol('VOD', 'XLON', 'United Kingdom')).toBe('VOD.L');
    expect(fromTwelveDataSymbol('7203', 'XTKS', 'Japan')).toBe('7203.T');
    expect(fromTwelveDataSymbol('AAPL', 'XNGS', 'United States')).toBe('AAPL');
    expect(fromTwelveDataSymbol('AAPL')).toBe('AAPL');
  });

  it('gives no name to a foreign listing on a venue it has no suffix for', () => {
    expect(fromTwelveDataSymbol('AAPL', 'XMEX', 'Mexico')).toBeNull();
  });
});
