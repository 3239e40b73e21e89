"""An engagement's questions sent before it, for its page (read through visible_to as the viewer)."""
from django import template

register = template.Library()


@register.inclusion_tag("digital/_meeting_questions.html", takes_context=True)
def questions_in_advance(context, engagement):
    from digital.models import MeetingQuestion

    questions = list(MeetingQuestion.objects.visible_to(context["request"].user).filter(engagement=engagement))
    return {"questions": questions}
