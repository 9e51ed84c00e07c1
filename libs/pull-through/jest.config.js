module.exports = { ...require('../../jest.preset.js'), displayName: 'pull-through', rootDir: __dirname };
