"""The instructor's tools, none of which a learner needs to read or run the course.

* :mod:`.grading`: assignments with nbgrader (release, collect, sandboxed autograde,
  feedback, gradebook exports), ``osai grade``;
* :mod:`.quiz_export`: the quiz banks as Moodle XML, QTI 1.2 (Canvas) and GIFT;
* :mod:`.quiz_report`: the class report from learners' progress files and LMS exports;
* :mod:`.handouts`: printable quizzes and answer keys;
* :mod:`.quiz_cli`: ``osai quiz`` (check, handouts, export, report);
* :mod:`.scorm`: the built book as a SCORM 1.2 or 2004 package (``osai scorm``);
* :mod:`.printable`, :mod:`.ziplimits`: text and archives from outside, read safely.
"""
