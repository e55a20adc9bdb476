// esbuild's file loader (scripts/build-renderer.mjs): importing an asset gives its URL.
declare module '*.ttf' {
  const url: string;
  export default url;
}
