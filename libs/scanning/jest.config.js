module.exports = { ...require('../../jest.preset.js'), displayName: 'scanning', rootDir: __dirname };
