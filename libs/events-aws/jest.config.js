module.exports = { ...require('../../jest.preset.js'), displayName: 'events-aws', rootDir: __dirname };
