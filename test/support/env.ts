// The AWS SDK warns, on Node 20, that its releases after January 2027 need Node 22. The versions here are
// pinned, so the tests keep their output for what they check. (The README notes the Node requirement.)
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
