/** How a mass-action job splits its contacts: JOB_CHUNK per call, and at most JOB_STEPS calls for a large set. */
import { expect } from 'chai';
import { JOB_CHUNK, JOB_STEPS, jobChunk } from '../services/list-action-runner.js';

describe('Mass-action jobs: chunk sizes', () => {
  it('hands small and medium sets to the action JOB_CHUNK contacts at a time', () => {
    for (const total of [1, JOB_CHUNK, 2000, JOB_CHUNK * JOB_STEPS]) expect(jobChunk(total), String(total)).to.equal(JOB_CHUNK);
  });

  it('runs a large set in at most JOB_STEPS calls, each larger', () => {
    for (const total of [JOB_CHUNK * JOB_STEPS + 1, 100_000, 200_000]) {
      const size = jobChunk(total);
      expect(size, String(total)).to.be.above(JOB_CHUNK);
      expect(Math.ceil(total / size), String(total)).to.be.at.most(JOB_STEPS);
    }
    expect(jobChunk(100_000)).to.equal(2000);
  });
});
