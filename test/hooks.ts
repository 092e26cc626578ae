// Root hooks: an unhandled rejection anywhere fails the run instead of scrolling past.
process.on('unhandledRejection', (reason) => {
  throw reason instanceof Error ? reason : new Error(`unhandledRejection: ${String(reason)}`);
});
