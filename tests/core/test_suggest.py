"""The suggestion classifier: work suggestions are recorded, everyday chat is not."""

from __future__ import annotations

import pytest

from bot.core.suggest import THRESHOLD, classify

SUGGESTIONS = [
    "建议以后周例会提前一天把材料发到群里，大家可以先看。",
    "我建议把报送模板统一一下，现在各科室格式都不一样。",
    "提个建议：请假审批能不能改成线上办理？",
    "能否把值班表做成共享表格，方便大家查看？",
    "希望办公室能统一安排一次公文写作培训。",
    "建议简化差旅报销流程，目前要签五个字",
    "关于考核办法我有个想法，能否按季度考核而不是按月？",
    "可否在群内发布通知时统一加上截止时间？",
    "建议各科室指定一名信息员负责上报台账。",
    "希望能优化一下OA系统，附件上传经常失败。",
    "对这次的方案我提几点意见：一是经费预算偏紧，二是时间安排太赶。",
    "是否可以把每周五下午的会议调整到周四上午？",
    "建议窗口服务增加延时办理，方便上班的群众。",
    "提议成立一个信息化工作专班，统筹各平台建设。",
    "我们建议把采购审批的额度标准提高一些。",
    "希望以后通知能提前发，临时通知太多影响工作效率。",
    "能不能把各类检查合并进行，减少基层迎检负担？",
    "建议对政务公开栏目的内容定期检查更新。",
    "最好能在系统里设置到期提醒，避免材料漏报。",
    "建议会议纪要在会后两个工作日内印发。",
    "有个建议：新入职人员的培训材料可以统一放到共享盘。",
    "希望加强宣传工作，把我们的经验做法多报送一些。",
    "可不可以统一一下各科室的文件编号规范？",
    "建议节约经费，能线上开的会议就不要线下开。",
    "针对督办事项，建议建立台账、每周通报一次进度。",
    "我提个意见，报表的口径变化太频繁，希望能保持稳定。",
    "建议完善值班制度，节假日增加一名带班领导。",
    "不妨把常用的表格模板整理成一个目录发到群内。",
    "希望平台能增加批量导入功能，提高录入效率。",
    "合理化建议：办公用品申领改为每月集中一次。",
    "能否在周报模板里增加一栏“下周工作计划”？",
    "建议各单位报送材料时统一用PDF格式，避免排版错乱。",
]

CHAT = [
    "建议你先吃饭，饭后再说",
    "收到",
    "好的，谢谢领导",
    "希望你早日康复！",
    "大家还有什么意见吗？",
    "没意见，同意",
    "请各科室认真学习《关于加强基层治理的实施意见》",
    "征求意见稿已发到各位邮箱，请查收。",
    "明天几点开会？",
    "希望明天别下雨",
    "建议大家多喝热水哈哈",
    "能不能帮我带个午饭",
    "生日快乐！希望你天天开心",
    "今天食堂的饭不错",
    "周末愉快各位",
    "材料已经报送了",
    "我没有意见",
    "能否借我一支笔",
    "建议你早点休息",
    "希望工程捐款的收据在我这儿",
    "好的，马上到",
    "王科长在吗？",
    "这个表格我填好了",
    "大家注意天气变化，注意保暖",
    "会议室在三楼",
    "@张三 你的文件我收到了",
    "希望大家周末玩得开心",
    "有建议吗",
    "请签署意见后交回办公室",
    "谢谢大家的意见",
    "建议名单已经公示",
    "能否快一点，等着用车",
]


@pytest.mark.parametrize("text", SUGGESTIONS)
def test_suggestions_are_recognised(text: str) -> None:
    v = classify(text)
    assert v.is_suggestion, (text, v)
    assert v.score >= THRESHOLD and v.rules


@pytest.mark.parametrize("text", CHAT)
def test_ordinary_lines_are_not_suggestions(text: str) -> None:
    v = classify(text)
    assert not v.is_suggestion, (text, v)


def test_the_verdict_explains_itself() -> None:
    v = classify("建议你先吃饭")
    assert not v.is_suggestion and "chat:personal" in v.rules and "cue:建议" in v.rules
    w = classify("我建议把报送流程简化一下")
    assert w.is_suggestion and w.rules[0] == "cue:strong" and "topic:报送" in w.rules


def test_corpus_sizes() -> None:
    assert len(SUGGESTIONS) >= 30 and len(CHAT) >= 30
