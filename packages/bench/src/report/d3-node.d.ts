// d3-node ships no type declarations; the charts use the d3 instance it carries, untyped.
declare module 'd3-node' {
  export class D3Node {
    constructor(options?: { styles?: string; selector?: string; container?: string })
    // biome-ignore lint/suspicious/noExplicitAny: d3 has no types installed here
    d3: any
    // biome-ignore lint/suspicious/noExplicitAny: a d3 selection
    createSVG(width: number, height: number, attrs?: Record<string, string | number>): any
    svgString(): string
  }
}
