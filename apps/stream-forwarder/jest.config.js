module.exports = { ...require('../../jest.preset.js'), displayName: 'stream-forwarder', rootDir: __dirname };
