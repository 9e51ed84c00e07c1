module.exports = { ...require('../../jest.preset.js'), displayName: 'lifecycle-sweeper', rootDir: __dirname };
